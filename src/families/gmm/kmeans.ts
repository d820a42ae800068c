/** k-means for initialising EM: k-means++ seeding (Arthur & Vassilvitskii 2007) and Lloyd's iterations. */
import type { Rng } from '../../core/rng.js';

function squaredDistance(x: Float64Array, offset: number, centers: Float64Array, c: number, d: number): number {
  let s = 0;
  for (let a = 0; a < d; a++) {
    const t = x[offset + a] - centers[c * d + a];
    s += t * t;
  }
  return s;
}

export function nearestCenter(x: Float64Array, offset: number, centers: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const s = squaredDistance(x, offset, centers, c, d);
    if (s < bestDistance) {
      bestDistance = s;
      best = c;
    }
  }
  return best;
}

/** k-means++ seeding: each next centre is a point drawn with probability proportional to D(x)². */
export function kmeansPlusPlus(x: Float64Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const centers = new Float64Array(k * d);
  const first = rng.int(n);
  centers.set(x.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squaredDistance(x, i * d, centers, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += closest[i];
    let pick = n - 1;
    if (total > 0) {
      let u = rng.uniform() * total;
      for (let i = 0; i < n; i++) {
        u -= closest[i];
        if (u < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = rng.int(n); // all points coincide with the centres so far
    }
    centers.set(x.subarray(pick * d, pick * d + d), c * d);
    if (c === k - 1) break; // the last centre's distances would never be read
    for (let i = 0; i < n; i++) closest[i] = Math.min(closest[i], squaredDistance(x, i * d, centers, c, d));
  }
  return centers;
}

/**
 * Lloyd's algorithm from k-means++ seeds, stopping when the centres move less (squared, in total) than
 * `tolerance` times the data's mean per-coordinate variance — scikit-learn's KMeans criterion (tol 1e-4).
 */
export function kmeans(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Rng,
  maxIterations = 300,
  tolerance = 1e-4,
): { centers: Float64Array; iterations: number } {
  let variance = 0;
  for (let a = 0; a < d; a++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + a];
    mean /= n;
    for (let i = 0; i < n; i++) variance += (x[i * d + a] - mean) ** 2;
  }
  const threshold = (tolerance * variance) / (n * d);

  const centers = kmeansPlusPlus(x, n, d, k, rng);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let iteration = 0;
  while (iteration < maxIterations) {
    iteration++;
    sums.fill(0);
    counts.fill(0);
    if (d === 2 && k === 2) assignTwoByTwo(x, n, centers, sums, counts);
    else if (d === 2) assign2(x, n, centers, k, sums, counts);
    else
      for (let i = 0; i < n; i++) {
        const c = nearestCenter(x, i * d, centers, k, d);
        counts[c]++;
        for (let a = 0; a < d; a++) sums[c * d + a] += x[i * d + a];
      }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its centre
      for (let a = 0; a < d; a++) {
        const next = sums[c * d + a] / counts[c];
        shift += (next - centers[c * d + a]) ** 2;
        centers[c * d + a] = next;
      }
    }
    if (shift <= threshold) break;
  }
  return { centers, iterations: iteration };
}

/** One Lloyd assignment in 2-D, unrolled: each point's nearest centre, its count and coordinate sums. */
function assign2(
  x: Float64Array,
  n: number,
  centers: Float64Array,
  k: number,
  sums: Float64Array,
  counts: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const x0 = x[2 * i];
    const x1 = x[2 * i + 1];
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const t0 = x0 - centers[2 * c];
      const t1 = x1 - centers[2 * c + 1];
      const s = t0 * t0 + t1 * t1;
      if (s < bestDistance) {
        bestDistance = s;
        best = c;
      }
    }
    counts[best]++;
    sums[2 * best] += x0;
    sums[2 * best + 1] += x1;
  }
}

/**
 * assign2 for two centres, without a branch on the nearest one: which centre wins is a coin flip per point, so
 * a branch mispredicts half the time. Each centre's sums still take its own points in order, plus exact zeros,
 * so the result is bit-identical to assign2.
 */
function assignTwoByTwo(
  x: Float64Array,
  n: number,
  centers: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
): void {
  const a0 = centers[0];
  const a1 = centers[1];
  const b0 = centers[2];
  const b1 = centers[3];
  let onB = 0;
  let sa0 = 0;
  let sa1 = 0;
  let sb0 = 0;
  let sb1 = 0;
  for (let i = 0; i < n; i++) {
    const x0 = x[2 * i];
    const x1 = x[2 * i + 1];
    const u0 = x0 - a0;
    const u1 = x1 - a1;
    const v0 = x0 - b0;
    const v1 = x1 - b1;
    const toB = (v0 * v0 + v1 * v1 < u0 * u0 + u1 * u1 ? 1 : 0) as number; // ties go to the first centre
    const toA = 1 - toB;
    onB += toB;
    sa0 += toA * x0;
    sa1 += toA * x1;
    sb0 += toB * x0;
    sb1 += toB * x1;
  }
  counts[0] += n - onB;
  counts[1] += onB;
  sums[0] += sa0;
  sums[1] += sa1;
  sums[2] += sb0;
  sums[3] += sb1;
}
