/**
 * What the remedy experiments read off a metric's series over seeds (series[s][g]: seed s, generation g): a
 * geometric mean with its 95% interval at one generation, a lag-1 autoregression (how much of a deviation
 * survives one generation), and whether a statistic keeps falling (the slope of its mean log over a window).
 */
import { meanInterval } from '../../metrics/seed-summary.js';
import { type CollapseRate, collapseRate } from '../../theory/collapse-rate.js';

/** The geometric mean over seeds at generation g (the last when g is past the end), with its 95% interval. */
export function geometricAt(series: readonly (readonly number[])[], g: number) {
  const logs = series.map((s) => Math.log(s[Math.min(g, s.length - 1)]));
  const { mean, lo, hi, n } = meanInterval(logs);
  return { mean: Math.exp(mean), lo: Math.exp(lo), hi: Math.exp(hi), n };
}

/**
 * The error a run ends at: each seed's geometric mean over generations [from, end) (a settled run fluctuates from
 * one generation to the next), then the geometric mean over seeds with its 95% interval.
 */
export function settledAt(series: readonly (readonly number[])[], from: number) {
  const logs = series.map((s) => {
    const tail = s.slice(from);
    return tail.reduce((a, x) => a + Math.log(x), 0) / tail.length;
  });
  const { mean, lo, hi, n } = meanInterval(logs);
  return { mean: Math.exp(mean), lo: Math.exp(lo), hi: Math.exp(hi), n };
}

/**
 * The pooled lag-1 autoregression slope of the series over generations [from, end), each seed centred on its own
 * mean there: the share of a deviation left after one generation (1 − slope is the convergence rate), and the
 * slope's standard error. Centring on a short window's own mean biases the slope down by (1 + 3ρ)/n (Kendall
 * 1954), which at small real fractions is as large as the rate itself; the slope returned is corrected for it.
 */
export function lagOneSlope(series: readonly (readonly number[])[], from: number): { slope: number; se: number } {
  const pairs: [number, number][] = [];
  let n = Number.POSITIVE_INFINITY;
  for (const s of series) {
    const window = s.slice(from);
    n = Math.min(n, window.length);
    const m = window.reduce((a, b) => a + b, 0) / window.length;
    for (let g = 0; g + 1 < window.length; g++) pairs.push([window[g] - m, window[g + 1] - m]);
  }
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of pairs) {
    sxx += x * x;
    sxy += x * y;
  }
  const raw = sxy / sxx;
  let rss = 0;
  for (const [x, y] of pairs) rss += (y - raw * x) ** 2;
  // E[raw] ≈ ρ − (1 + 3ρ)/n, solved for ρ.
  return { slope: (n * raw + 1) / (n - 3), se: Math.sqrt(rss / Math.max(1, pairs.length - 1) / sxx) };
}

/** The collapse rate of the statistic over generations [from, end): still collapsing if its interval is below 0. */
export function rateFrom(series: readonly (readonly number[])[], from: number): CollapseRate | undefined {
  return collapseRate(series.map((s) => s.slice(from)));
}
