/**
 * Figures for `gaussian`: variance and W2 over generations, with theory. Refitting N(μ, σ²) by MLE to M of its
 * own samples multiplies the variance by an independent χ²_{M−1}/M each generation, so
 *
 *   E[σ²_n] = σ² ((M−1)/M)^n          (the mean decays slowly…)
 *   log σ²_n = log σ² + Σ log(χ²_{M−1}/M)  (…while the typical path, a random walk with drift, decays fast).
 *
 * The band is the central 90% of σ²_n's distribution: the sum of logs is close to normal (its mean and variance
 * come from digamma and trigamma), so the band is exact in the limit and good after a few generations.
 */

import type { RunData } from '../../core/run-store.js';
import { digamma, trigamma } from '../../math/special.js';
import { exp, log, pow } from '../../numeric/libm.js';
import { type CurveRow, curvePanel, grid } from '../../plots/charts.js';
import { aggregate, type RunGroup } from '../../plots/groups.js';
import type { Figure } from '../../plots/plot.js';
import { series } from '../../plots/series.js';
import type { TheoryConfig } from '../definition.js';

const Z90 = 1.6448536269514722;

export interface VarianceTheory {
  /** σ² of the real data. */
  readonly variance: number;
  readonly realSize: number;
  readonly samples: number;
  readonly estimator: 'mle' | 'unbiased';
}

/** The theory applies to a 1-D Gaussian fitted to real Gaussian data under `replace`; undefined otherwise. */
export function varianceTheory(config: TheoryConfig): VarianceTheory | undefined {
  if (config.family.type !== 'gaussian' || config.policy.type !== 'replace' || config.real.type !== 'gaussian')
    return undefined;
  const mean = (config.real.mean as number[] | undefined) ?? [0];
  if (mean.length !== 1) return undefined;
  const cov = config.real.covariance as number[][] | undefined;
  return {
    variance: cov?.[0]?.[0] ?? 1,
    realSize: config.realSize ?? config.samplesPerGeneration,
    samples: config.samplesPerGeneration,
    estimator: config.family.estimator === 'unbiased' ? 'unbiased' : 'mle',
  };
}

/**
 * Generation g's model is fitted g + 1 times in a row (once to R real points, then g times to M samples), so its
 * variance is σ² times g + 1 independent factors χ²_{k}/c (k = n − 1; c = n for MLE, n − 1 unbiased).
 */
export function theoryRows(t: VarianceTheory, generations: number, label = 'theory E[σ²ₙ]'): CurveRow[] {
  const factor = (n: number) => {
    const k = n - 1;
    const c = t.estimator === 'mle' ? n : n - 1;
    return { mean: k / c, logMean: digamma(k / 2) + log(2 / c), logVar: trigamma(k / 2) };
  };
  const first = factor(t.realSize);
  const step = factor(t.samples);
  const rows: CurveRow[] = [];
  for (let g = 0; g < generations; g++) {
    const expected = t.variance * first.mean * pow(step.mean, g);
    const mu = log(t.variance) + first.logMean + g * step.logMean;
    const sd = Math.sqrt(first.logVar + g * step.logVar);
    rows.push({
      generation: g,
      value: expected,
      series: label,
      lo: exp(mu - Z90 * sd),
      hi: exp(mu + Z90 * sd),
    });
  }
  return rows;
}

function varianceMetric(run: RunData): string {
  return run.metrics.some((m) => typeof m.variance === 'number') ? 'variance' : 'covarianceTrace';
}

export function varianceFigure(run: RunData): Figure {
  const metric = varianceMetric(run);
  const theory = varianceTheory(run.config);
  const rows: CurveRow[] = [
    ...series(run.metrics, metric).map((r) => ({ ...r, series: `this run (seed ${run.config.seed})` })),
    ...(theory ? theoryRows(theory, run.metrics.length) : []),
  ];
  const w2 = series(run.metrics, 'w2').map((r) => ({ ...r, series: 'W2 to the real distribution' }));
  return {
    id: 'gaussian-variance',
    title: 'Variance and W2 over generations',
    caption: theory
      ? `The fitted ${metric === 'variance' ? 'variance' : 'covariance trace'} (log scale) against theory: the dashed line is E[σ²ₙ] = σ²((M−1)/M)ⁿ with M = ${theory.samples}, the shaded band the central 90% of σ²ₙ over seeds. Most seeds fall far below the mean: the typical path collapses faster than the expectation suggests.`
      : `The fitted ${metric === 'variance' ? 'variance' : 'covariance trace'} (log scale) and the 2-Wasserstein distance to the real distribution. No closed-form theory is drawn: it holds for a 1-D Gaussian under 'replace'.`,
    spec: grid(
      [
        curvePanel({ title: metric, yTitle: metric, yScale: 'log', rows, dashed: theory ? ['theory E[σ²ₙ]'] : [] }),
        curvePanel({ title: 'W2 to the real distribution', yTitle: 'W2', rows: w2 }),
      ],
      2,
    ),
  };
}

export function compareVarianceFigure(groups: readonly RunGroup[]): Figure {
  const metric = varianceMetric(groups[0].runs[0]);
  const rows = groups.flatMap((g) => aggregate(g, metric));
  const theories = new Map<string, CurveRow[]>();
  for (const g of groups) {
    const t = varianceTheory(g.runs[0].config);
    if (!t) continue;
    const generations = Math.max(...g.runs.map((r) => r.metrics.length));
    theories.set(`theory (M=${t.samples})`, theoryRows(t, generations, `theory (M=${t.samples})`));
  }
  const dashed = [...theories.keys()];
  return {
    id: 'gaussian-compare',
    title: 'Variance and W2 over generations, compared',
    caption:
      'Geometric mean over seeds per configuration (band: its 95% interval); dashed: E[σ²ₙ] = σ²((M−1)/M)ⁿ under replace, with its theoretical 90% band.',
    spec: grid(
      [
        curvePanel({
          title: metric,
          yTitle: metric,
          yScale: 'log',
          rows: [...rows, ...[...theories.values()].flat()],
          dashed,
        }),
        curvePanel({
          title: 'W2 to the real distribution',
          yTitle: 'W2',
          rows: groups.flatMap((g) => aggregate(g, 'w2')),
        }),
      ],
      2,
    ),
  };
}

export const gaussianFigures = {
  run: (run: RunData): Figure[] => [varianceFigure(run)],
  compare: (groups: readonly RunGroup[]): Figure[] => [compareVarianceFigure(groups)],
};

export { digamma, trigamma };
