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

import type { Metrics } from '../../core/family.js';
import type { RunData } from '../../core/run-store.js';
import { digamma, trigamma } from '../../math/special.js';
import { DEFINITIONS } from '../../metrics/definitions.js';
import { meanInterval } from '../../metrics/seed-summary.js';
import { exp, log, pow } from '../../numeric/libm.js';
import { type CurveRow, curvePanel, grid } from '../../plots/charts.js';
import { aggregate, type RunGroup } from '../../plots/groups.js';
import type { Figure } from '../../plots/plot.js';
import { series } from '../../plots/series.js';
import {
  accumulateMeanSquareDrift,
  accumulateW2SquaredBound,
  accumulateW2SquaredFirstOrder,
  expectedW2Squared,
  meanSquareDrift,
  w2SquaredBand,
} from '../../theory/gaussian.js';
import type { TheoryConfig } from '../definition.js';

const Z90 = 1.6448536269514722;

export interface VarianceTheory {
  /** σ² of the real data. */
  readonly variance: number;
  readonly realSize: number;
  readonly samples: number;
  readonly estimator: 'mle' | 'unbiased';
}

/** The real distribution's mean and variance when it is a known 1-D Gaussian (what every closed form here needs). */
export function knownTruth(config: TheoryConfig): { mean: number; variance: number } | undefined {
  if (config.family.type !== 'gaussian' || config.real.type !== 'gaussian') return undefined;
  const mean = (config.real.mean as number[] | undefined) ?? [0];
  if (mean.length !== 1) return undefined;
  return { mean: mean[0], variance: (config.real.covariance as number[][] | undefined)?.[0]?.[0] ?? 1 };
}

const estimatorOf = (config: TheoryConfig) => (config.family.estimator === 'unbiased' ? 'unbiased' : 'mle');

/** The theory applies to a 1-D Gaussian fitted to real Gaussian data under `replace`; undefined otherwise. */
export function varianceTheory(config: TheoryConfig): VarianceTheory | undefined {
  const truth = knownTruth(config);
  if (!truth || config.policy.type !== 'replace') return undefined;
  return {
    variance: truth.variance,
    realSize: config.realSize ?? config.samplesPerGeneration,
    samples: config.samplesPerGeneration,
    estimator: estimatorOf(config),
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

export const W2_THEORY = 'theory E[W₂²]';

/** The run's W₂² beside theory's expectation and the central 95% of its law; its W2 where no theory applies. */
function w2Panel(run: RunData) {
  const theory = w2SquaredTheory(run.config, run.metrics.length, W2_THEORY, true);
  if (theory.rows.length === 0) {
    const rows = series(run.metrics, 'w2').map((r) => ({ ...r, series: 'W2 to the real distribution' }));
    return curvePanel({ title: 'W2 to the real distribution', yTitle: 'W2', rows });
  }
  const measured = series(run.metrics, 'w2').map((r) => ({
    ...r,
    value: r.value === null ? null : r.value ** 2,
    series: `W₂², this run (seed ${run.config.seed})`,
  }));
  return curvePanel({
    title: 'W₂² to the real distribution',
    yTitle: 'W₂²',
    yScale: 'log',
    rows: [...measured, ...theory.rows],
    dashed: theory.dashed,
  });
}

export function varianceFigure(run: RunData): Figure {
  const metric = varianceMetric(run);
  const theory = varianceTheory(run.config);
  const rows: CurveRow[] = [
    ...series(run.metrics, metric).map((r) => ({ ...r, series: `this run (seed ${run.config.seed})` })),
    ...(theory ? theoryRows(theory, run.metrics.length) : []),
  ];
  return {
    id: 'gaussian-variance',
    title: 'Variance and W2 over generations',
    caption: theory
      ? `The fitted ${metric === 'variance' ? 'variance' : 'covariance trace'} (log scale) against theory: the dashed line is E[σ²ₙ] = σ²((M−1)/M)ⁿ with M = ${theory.samples}, the shaded band the central 90% of σ²ₙ over seeds. Most seeds fall far below the mean: the typical path collapses faster than the expectation suggests. Right: W₂² to the truth against its exact expectation, the band the central 95% of its law (Monte Carlo of the exact chain, 1,000 paths).`
      : `The fitted ${metric === 'variance' ? 'variance' : 'covariance trace'} (log scale) and the 2-Wasserstein distance to the real distribution. No closed-form variance theory is drawn: it holds for a 1-D Gaussian under 'replace'${run.config.policy.type === 'accumulate' ? '; W₂² is drawn against its first-order expectation and bound under accumulate' : ''}.`,
    spec: grid(
      [
        curvePanel({ title: metric, yTitle: metric, yScale: 'log', rows, dashed: theory ? ['theory E[σ²ₙ]'] : [] }),
        w2Panel(run),
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

/** E[(μₙ − μ)²] where theory knows it: a 1-D Gaussian fitted to real data of its own size, under replace or accumulate. */
export function meanDriftTheory(config: TheoryConfig, generations: number, label: string): CurveRow[] {
  const policy = config.policy.type;
  const truth = knownTruth(config);
  const M = config.samplesPerGeneration;
  if (!truth || (policy !== 'replace' && policy !== 'accumulate') || (config.realSize ?? M) !== M) return [];
  const estimator = estimatorOf(config);
  return Array.from({ length: generations }, (_, n) => ({
    generation: n,
    value: truth.variance * (policy === 'replace' ? meanSquareDrift(n, M, estimator) : accumulateMeanSquareDrift(n, M)),
    series: label,
  }));
}

/**
 * Theory's W₂² to the truth per generation: under replace the exact expectation (theory/gaussian.ts
 * expectedW2Squared) with, when `band`, the central 95% of its law by Monte Carlo; under accumulate the
 * first-order expectation (3/2)σ²/M Σ 1/j² and its bound (π²/4)σ²/M as a flat line.
 */
export function w2SquaredTheory(
  config: TheoryConfig,
  generations: number,
  label: string,
  band = false,
): { rows: CurveRow[]; dashed: string[] } {
  const policy = config.policy.type;
  const truth = knownTruth(config);
  const M = config.samplesPerGeneration;
  const R = config.realSize ?? M;
  if (!truth || M < 3 || R < 3) return { rows: [], dashed: [] };
  const s2 = truth.variance;
  if (policy === 'replace') {
    const estimator = estimatorOf(config);
    const mc = band ? w2SquaredBand(generations, M, estimator, R) : undefined;
    const rows = Array.from({ length: generations }, (_, n) => ({
      generation: n,
      value: s2 * expectedW2Squared(n, M, estimator, R),
      series: label,
      ...(mc ? { lo: s2 * mc.lo[n], hi: s2 * mc.hi[n] } : {}),
    }));
    return { rows, dashed: [label] };
  }
  if (policy !== 'accumulate' || R !== M) return { rows: [], dashed: [] };
  const bound = `bound (π²/4)σ²/M, M=${M}`;
  const rows = Array.from({ length: generations }, (_, n) => [
    { generation: n, value: s2 * accumulateW2SquaredFirstOrder(n, M), series: label },
    { generation: n, value: s2 * accumulateW2SquaredBound(M), series: bound },
  ]).flat();
  return { rows, dashed: [label, bound] };
}

/**
 * A non-negative quantity of each metrics line, averaged over the group's seeds per generation, with the 95%
 * interval of that average (floored at 0) when there are seeds to give one.
 */
function seedMeans(g: RunGroup, value: (m: Metrics) => number | undefined): CurveRow[] {
  const byGeneration = new Map<number, number[]>();
  for (const run of g.runs)
    for (const m of run.metrics) {
      const v = value(m);
      if (v === undefined) continue;
      const list = byGeneration.get(m.generation as number);
      if (list) list.push(v);
      else byGeneration.set(m.generation as number, [v]);
    }
  return [...byGeneration].map(([generation, xs]) => {
    const { mean, lo, hi, n } = meanInterval(xs);
    return { generation, value: mean, series: g.label, ...(n > 1 ? { lo: Math.max(lo, 0), hi } : {}) };
  });
}

/**
 * W₂² to the truth, the mean over seeds with its 95% interval, beside theory: exact under replace,
 * first-order and bounded under accumulate.
 */
export function w2SquaredFigure(groups: readonly RunGroup[]): Figure | undefined {
  const rows: CurveRow[] = [];
  const dashed: string[] = [];
  for (const g of groups) {
    const measured = seedMeans(g, (m) => (typeof m.w2 === 'number' ? m.w2 ** 2 : undefined));
    rows.push(...measured);
    const theory = w2SquaredTheory(g.runs[0].config, measured.length, `theory, ${g.label}`);
    rows.push(...theory.rows);
    dashed.push(...theory.dashed);
  }
  if (rows.length === 0 || dashed.length === 0) return undefined;
  return {
    id: 'gaussian-w2-squared',
    title: 'W₂² to the real distribution, against theory',
    caption:
      'W₂² = (μₙ − μ)² + (σₙ − σ)² to the truth, averaged over seeds (band: the 95% interval of that average). Dashed: under replace its exact expectation, Σᵢ E[σ²ᵢ₋₁]/Mᵢ + E σ²ₙ − 2σ E σₙ + σ² (≈ (3/2)σ² Σ 1/Mᵢ while that is small; it levels off at σ² plus the mean’s drift once the MLE’s variance has collapsed); under accumulate the first-order (3/2)σ²/M Σⱼ₌₁ⁿ⁺¹ 1/j² and its bound (π²/4)σ²/M (Gerstgrasser et al. 2024).',
    spec: curvePanel({
      title: `W₂² to the truth · ${DEFINITIONS['distance-real'].title}`,
      yTitle: 'W₂²',
      yScale: 'log',
      rows,
      dashed,
      width: 520,
    }),
  };
}

/**
 * How far the mean wanders: the mean over seeds of (μₙ − μ)² per configuration, beside theory's expectation
 * under replace ((n + 1)σ²/M, a random walk) and accumulate (σ²/M Σ 1/j², bounded by π²σ²/6M).
 */
export function meanDriftFigure(groups: readonly RunGroup[]): Figure | undefined {
  const rows: CurveRow[] = [];
  const dashed: string[] = [];
  for (const g of groups) {
    const truth = ((g.runs[0].config.real.mean as number[] | undefined) ?? [0])[0];
    const measured = seedMeans(g, (m) => (typeof m.mean === 'number' ? (m.mean - truth) ** 2 : undefined));
    rows.push(...measured);
    const label = `theory, ${g.label}`;
    const theory = meanDriftTheory(g.runs[0].config, measured.length, label);
    if (theory.length) dashed.push(label);
    rows.push(...theory);
  }
  if (rows.length === 0 || dashed.length === 0) return undefined;
  return {
    id: 'gaussian-mean-drift',
    title: 'How far the mean wanders, against theory',
    caption:
      'The squared distance of the fitted mean from the real one, (μₙ − μ)², averaged over seeds (band: the 95% interval of that average). Dashed: its expectation, (n + 1)σ²/M under replace (a random walk that never stops) and σ²/M Σⱼ₌₁ⁿ⁺¹ 1/j² under accumulate (bounded by π²σ²/6M: accumulating data stops the walk).',
    spec: curvePanel({ title: '(μₙ − μ)²', yTitle: '(μₙ − μ)²', yScale: 'log', rows, dashed, width: 520 }),
  };
}

export const gaussianFigures = {
  run: (run: RunData): Figure[] => [varianceFigure(run)],
  compare: (groups: readonly RunGroup[]): Figure[] =>
    [compareVarianceFigure(groups), meanDriftFigure(groups), w2SquaredFigure(groups)].filter(
      (f): f is Figure => f !== undefined,
    ),
};

export { digamma, trigamma };
