/**
 * One collapse rate for every family: the slope of the mean log of the family's diversity statistic (variance,
 * total variance, Gini–Simpson, latent spread...) over generations, with a bootstrap interval over seeds, its
 * half-life ln 2/|slope| in generations, and the effective sample size M_eff of a Gaussian refitted by MLE that
 * drifts at the same rate (theory/gaussian.ts). For a categorical or an unbiased Gaussian at M per generation
 * the half-life is ≈ M ln 2; for the MLE Gaussian ≈ (M/2) ln 2.
 */
import { Rng } from '../core/rng.js';
import { effectiveSampleSize } from './gaussian.js';

export interface CollapseRate {
  /** Per-generation slope of the mean log statistic (negative: collapsing). */
  readonly slope: number;
  /** 95% interval of the slope: bootstrap over seeds (2+ seeds), or the OLS t interval (1 seed). */
  readonly interval: readonly [number, number];
  /** ln 2 / |slope|, generations (Infinity when not collapsing). */
  readonly halfLife: number;
  readonly effectiveSampleSize: number;
  /** Generations and seeds the fit used. */
  readonly generations: number;
  readonly seeds: number;
}

/** OLS fit of y on x: slope, intercept, and the slope's standard error. */
export function ols(x: readonly number[], y: readonly number[]): { slope: number; intercept: number; se: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxy / sxx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - my - slope * (x[i] - mx)) ** 2;
  return { slope, intercept: my - slope * mx, se: n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : Number.NaN };
}

/** The slope of the seed-mean of log(statistic) on generation, over the window where every seed is positive. */
function slopeOf(series: readonly (readonly number[])[], window: number) {
  const x: number[] = [];
  const y: number[] = [];
  for (let g = 0; g < window; g++) {
    x.push(g);
    y.push(series.reduce((a, s) => a + Math.log(s[g]), 0) / series.length);
  }
  return ols(x, y);
}

/**
 * `series[s][g]` is seed s's statistic at generation g. The fit uses the generations before any seed's statistic
 * reaches 0 (a log cannot follow it further); fewer than 3 such generations give undefined.
 */
export function collapseRate(
  series: readonly (readonly number[])[],
  seed = 1,
  resamples = 1000,
): CollapseRate | undefined {
  if (series.length === 0) return undefined;
  let window = Math.min(...series.map((s) => s.length));
  for (const s of series) {
    const end = s.findIndex((v) => !(v > 0) || !Number.isFinite(v));
    if (end >= 0) window = Math.min(window, end);
  }
  if (window < 3) return undefined;
  const { slope, se } = slopeOf(series, window);
  let interval: [number, number];
  if (series.length >= 2) {
    const rng = new Rng(seed);
    const slopes: number[] = [];
    for (let b = 0; b < resamples; b++) {
      const pick = Array.from({ length: series.length }, () => series[Math.floor(rng.uniform() * series.length)]);
      slopes.push(slopeOf(pick, window).slope);
    }
    slopes.sort((a, b) => a - b);
    interval = [slopes[Math.floor(0.025 * resamples)], slopes[Math.ceil(0.975 * resamples) - 1]];
  } else interval = [slope - 1.96 * se, slope + 1.96 * se];
  return {
    slope,
    interval,
    halfLife: slope < 0 ? Math.LN2 / -slope : Number.POSITIVE_INFINITY,
    effectiveSampleSize: effectiveSampleSize(slope),
    generations: window,
    seeds: series.length,
  };
}
