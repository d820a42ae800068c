/**
 * How a metric is summarised over seeds: the mean with a two-sided 95% t interval, on the log scale (a geometric
 * mean and its interval) for scale-like metrics — variances, perplexities, distances — whose seeds spread over
 * orders of magnitude, where an arithmetic mean is one lucky seed and disagrees with a log-axis chart.
 */
import { exp } from '../numeric/libm.js';

/** Metrics summarised on the log scale. */
const SCALE_LIKE = /variance|perplexity|w2|trace|wasserstein/i;

export function isScaleLike(metric: string): boolean {
  return SCALE_LIKE.test(metric);
}

export interface Summary {
  /** The (geometric) mean. */
  readonly mean: number;
  /** Its 95% interval (equal to the mean with one value). */
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly geometric: boolean;
}

/** Mean and a two-sided 95% interval of the mean (Student's t; just the mean with one value). */
export function meanInterval(xs: readonly number[]): { mean: number; lo: number; hi: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, lo: mean, hi: mean, n };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile975(n - 1) * (sd / Math.sqrt(n));
  return { mean, lo: mean - half, hi: mean + half, n };
}

/** meanInterval, on log values when the metric is scale-like and every value positive. */
export function summarise(metric: string, xs: readonly number[]): Summary {
  if (!isScaleLike(metric) || xs.some((x) => !(x > 0))) return { ...meanInterval(xs), geometric: false };
  const { mean, lo, hi, n } = meanInterval(xs.map(Math.log));
  return { mean: exp(mean), lo: exp(lo), hi: exp(hi), n, geometric: true };
}

/** The 0.975 quantile of Student's t with `df` degrees of freedom (table to 30, then the normal's 1.96 + a correction). */
export function tQuantile975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145];
  const tail = [
    2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
  ];
  if (df <= 14) return table[df - 1];
  if (df <= 30) return tail[df - 15];
  return 1.96 + 2.4 / df; // Cornish–Fisher's first term; within 0.002 of the exact value beyond 30
}
