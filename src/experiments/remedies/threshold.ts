/**
 * The mix threshold (Bertrand et al. 2024; Wang, Niu, Li 2026): the `mix` policy swept over the real fraction λ.
 * Below a threshold the error is unbounded (the variance keeps collapsing); above it the error settles, and how
 * fast it settles — the share of a deviation removed per generation — is min(baseline rate, λ). For the MLE
 * Gaussian and the EM mixture (whose M-step keeps the sample's mean and total covariance) theory/mix.ts gives the
 * threshold (one real item a generation, λ = 1/(2M)), the stationary E[total variance] = d·v(M, k) and the rate k/M.
 *
 * `thresholdSettings` are the sweep's grids; `analyseThreshold` reads one family's runs.
 */

import { meanInterval } from '../../metrics/seed-summary.js';
import { ols } from '../../theory/collapse-rate.js';
import { mixMoments } from '../../theory/mix.js';
import type { ExperimentConfig } from '../config.js';
import { resolveConfig, seedConfigs } from '../run.js';
import { lagOneSlope, rateFrom } from './series.js';

export interface ThresholdFamily {
  readonly preset: 'gaussian' | 'gmm';
  /** The statistic whose collapse is watched (the family's diversity) and its dimension d (truth: d). */
  readonly statistic: 'variance' | 'totalVariance';
  readonly dim: number;
  /** A metric that moves with the model's mean (the Gaussian's), for the exact rate 1 − E[μ'|μ]/μ = λ. */
  readonly meanMetric?: string;
  readonly samples: number;
  readonly generations: number;
  readonly seeds: number;
  readonly fractions: readonly number[];
  readonly overrides?: Record<string, unknown>;
}

/** The share of the truth's spread below which a run's second half counts as collapsed. */
const COLLAPSED = 0.05;

/** A real pool large enough that each generation's real draw is new data, as the closed forms assume. */
const POOL = 100_000;

export function thresholdSettings(quick: boolean): readonly ThresholdFamily[] {
  return quick
    ? [
        {
          preset: 'gaussian',
          statistic: 'variance',
          dim: 1,
          meanMetric: 'mean',
          samples: 100,
          generations: 400,
          seeds: 2,
          fractions: [0, 0.004, 0.006, 0.02, 0.1, 0.5, 1],
        },
        {
          preset: 'gmm',
          statistic: 'totalVariance',
          dim: 2,
          samples: 50,
          generations: 300,
          seeds: 2,
          fractions: [0, 0.008, 0.02, 1],
          overrides: { family: { type: 'gmm', components: 2, tolerance: 1e-4, maxIterations: 200 } },
        },
      ]
    : [
        {
          preset: 'gaussian',
          statistic: 'variance',
          dim: 1,
          meanMetric: 'mean',
          samples: 100,
          generations: 1000,
          seeds: 8,
          fractions: [0, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1],
        },
        {
          // At M = 1,000 replace's total variance halves only every ~700 generations: M = 100 shows the
          // threshold within the run, and costs a tenth.
          preset: 'gmm',
          statistic: 'totalVariance',
          dim: 2,
          samples: 100,
          generations: 1000,
          seeds: 4,
          fractions: [0, 0.004, 0.006, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
        },
      ];
}

export function thresholdConfigs(quick: boolean): ExperimentConfig[] {
  return thresholdSettings(quick).flatMap((f) =>
    f.fractions.flatMap((realFraction) =>
      seedConfigs(
        resolveConfig(f.preset, {
          ...f.overrides,
          name: `mix-threshold-${f.preset}`,
          generations: f.generations,
          samplesPerGeneration: f.samples,
          realSize: POOL,
          // Only the held-out log-likelihood and sliced W2 read it; 1,000 items keep a generation cheap.
          heldOutSize: 1000,
          snapshotGenerations: [],
          policy: { type: 'mix', realFraction },
        }),
        f.seeds,
      ),
    ),
  );
}

export interface ThresholdRow {
  readonly realFraction: number;
  /** Real items a generation, round(λM). */
  readonly realItems: number;
  /** Slope of the mean log statistic over the second half, with its 95% interval (shown, not the test). */
  readonly slope: number;
  readonly interval: readonly [number, number];
  /** The second half's geometric-mean statistic is below 5% of the truth's: the spread is being lost. */
  readonly unbounded: boolean;
  /** The statistic's mean over the second half and seeds (± a 95% half-width over seeds), and theory's. */
  readonly stationary: number;
  readonly stationaryHalfWidth: number;
  readonly stationaryTheory: number;
  /** 1 − the lag-1 autoregression slope (of the mean where the family has one, else of the statistic), ± se. */
  readonly rate: number;
  readonly rateSe: number;
  /** theory's k/M (the exact rate of the mean). */
  readonly rateTheory: number;
}

export interface ThresholdAnalysis {
  readonly family: ThresholdFamily;
  readonly rows: readonly ThresholdRow[];
  /** The smallest λ of the grid from which every λ is bounded, and the largest below it that is not. */
  readonly boundedFrom: number | null;
  readonly unboundedUpTo: number | null;
  /** theory's threshold 1/(2M). */
  readonly theoryThreshold: number;
  /** Rates against min(baseline rate, λ) over the bounded λ: slope b (1 when the rate is that min) and its se. */
  readonly fit: { readonly a: number; readonly b: number; readonly seB: number; readonly baseline: number } | null;
}

/** `runsByFraction`: per λ of family.fractions, each seed's metrics lines. */
export function analyseThreshold(
  family: ThresholdFamily,
  runsByFraction: readonly (readonly (readonly Record<string, unknown>[])[])[],
): ThresholdAnalysis {
  const M = family.samples;
  const rows = family.fractions.map((realFraction, i): ThresholdRow => {
    const runs = runsByFraction[i];
    const stat = runs.map((m) => m.map((line) => Number(line[family.statistic])));
    const half = Math.floor(Math.min(...stat.map((s) => s.length)) / 2);
    const k = Math.round(realFraction * M);
    const rate = rateFrom(stat, half);
    const averages = stat.map((s) => s.slice(half).reduce((a, b) => a + b, 0) / (s.length - half));
    const level = Math.exp(
      stat.reduce((a, s) => a + s.slice(half).reduce((b, x) => b + Math.log(x), 0) / (s.length - half), 0) /
        stat.length,
    );
    const summary = meanInterval(averages);
    const moving = family.meanMetric
      ? runs.map((m) => m.map((line) => Number(line[family.meanMetric as string])))
      : stat;
    const lag = lagOneSlope(moving, half);
    return {
      realFraction,
      realItems: k,
      slope: rate?.slope ?? Number.NEGATIVE_INFINITY,
      interval: rate?.interval ?? [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
      // A settled run with one real item a generation swings widely (its slope over a window is no test), a
      // collapsing one ends orders of magnitude down: unbounded once the second half has lost 95% of the spread.
      unbounded: rate === undefined || level < COLLAPSED * family.dim,
      stationary: summary.mean,
      stationaryHalfWidth: summary.hi - summary.mean,
      stationaryTheory: family.dim * mixMoments(M, k).variance,
      rate: 1 - lag.slope,
      rateSe: lag.se,
      rateTheory: k / M,
    };
  });
  let boundedFrom: number | null = null;
  for (let i = rows.length - 1; i >= 0 && !rows[i].unbounded; i--) boundedFrom = rows[i].realFraction;
  const below = rows.filter((r) => boundedFrom === null || r.realFraction < boundedFrom);
  const unboundedUpTo = below.length > 0 ? below[below.length - 1].realFraction : null;
  const baselineRow = rows.find((r) => r.realFraction === 1);
  const baseline = baselineRow ? baselineRow.rate : 1;
  const fitted = rows.filter((r) => !r.unbounded && r.realItems >= 1 && r.realFraction < 1);
  const line =
    fitted.length >= 3
      ? ols(
          fitted.map((r) => Math.min(baseline, r.realItems / M)),
          fitted.map((r) => r.rate),
        )
      : null;
  const fit = line ? { a: line.intercept, b: line.slope, seB: line.se, baseline } : null;
  return { family, rows, boundedFrom, unboundedUpTo, theoryThreshold: 1 / (2 * M), fit };
}
