/**
 * Sliced 2-Wasserstein distance between two point clouds: the root mean of the squared 1-D W2 distances along
 * random unit directions. In 1-D, W2 between empirical distributions is the L2 distance between their quantile
 * functions, computed here on a common grid of `grid` quantile levels so the two sets may differ in size.
 */
import type { Rng } from '../core/rng.js';

/** `count` random unit directions in d dimensions (rows of the result). */
export function randomDirections(d: number, count: number, rng: Rng): Float64Array {
  const out = new Float64Array(count * d);
  for (let p = 0; p < count; p++) {
    let norm = 0;
    for (let r = 0; r < d; r++) {
      const v = rng.normal();
      out[p * d + r] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let r = 0; r < d; r++) out[p * d + r] /= norm;
  }
  return out;
}

/** Sorted projections of points (n × d) on each direction: one sorted Float64Array per direction. */
export function sortedProjections(points: Float64Array, d: number, directions: Float64Array): Float64Array[] {
  const n = points.length / d;
  const count = directions.length / d;
  const result: Float64Array[] = [];
  for (let p = 0; p < count; p++) {
    const proj = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let r = 0; r < d; r++) s += points[i * d + r] * directions[p * d + r];
      proj[i] = s;
    }
    result.push(proj.sort());
  }
  return result;
}

/**
 * A sorted reference resampled to n quantile levels (i + ½)/n, so that an n-point sample is compared with
 * the cheap equal-size formula instead of merging the two step functions every time.
 */
export function quantileGrid(sorted: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sorted[Math.min(sorted.length - 1, Math.floor(((i + 0.5) / n) * sorted.length))];
  return out;
}

/** W2 between two 1-D empirical distributions given sorted samples. */
export function sortedW2(a: Float64Array, b: Float64Array): number {
  if (a.length === b.length) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
    return Math.sqrt(s / a.length);
  }
  // Unequal sizes: integrate (F_a⁻¹ − F_b⁻¹)² exactly over the merged breakpoints of both step functions.
  let s = 0;
  let i = 0;
  let j = 0;
  let u = 0;
  while (i < a.length && j < b.length) {
    const nextA = (i + 1) / a.length;
    const nextB = (j + 1) / b.length;
    const next = Math.min(nextA, nextB);
    s += (next - u) * (a[i] - b[j]) ** 2;
    u = next;
    if (nextA <= next) i++;
    if (nextB <= next) j++;
  }
  return Math.sqrt(s);
}

/** Sliced W2 of `points` against reference projections prepared once with `sortedProjections`. */
export function slicedW2(points: Float64Array, d: number, directions: Float64Array, reference: Float64Array[]): number {
  const projected = sortedProjections(points, d, directions);
  let s = 0;
  for (let p = 0; p < projected.length; p++) s += sortedW2(projected[p], reference[p]) ** 2;
  return Math.sqrt(s / projected.length);
}
