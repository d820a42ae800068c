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
    if (d === 2 && k === 2) {
      const s = twoCentreSums(x, n, centers, false);
      counts[0] += s[0];
      counts[1] += s[1];
      sums[0] += s[2];
      sums[1] += s[4];
      sums[2] += s[3];
      sums[3] += s[5];
    } else if (d === 2) assign2(x, n, centers, k, sums, counts);
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
 * Each 2-D point's nearer of two centres [a0, a1, b0, b1] (ties to the first) as a 0/1 weight, not a branch:
 * which centre wins is a coin flip per point, so a branch mispredicts half the time. Returns, per centre, the
 * count (summed one point at a time from startA / startB) and Σx, Σy, and with `moments` Σxx, Σyx, Σyy, laid
 * out [nA, nB, ΣxA, ΣxB, ΣyA, ΣyB, ΣxxA, ΣxxB, ΣyxA, ΣyxB, ΣyyA, ΣyyB] (the WebAssembly E-step's layout).
 * Each centre's sums take its own points in order plus exact zeros: bit-identical to branching code.
 */
export function twoCentreSums(
  x: Float64Array,
  n: number,
  centers: Float64Array,
  moments: boolean,
  startA = 0,
  startB = 0,
): Float64Array {
  const a0 = centers[0];
  const a1 = centers[1];
  const b0 = centers[2];
  const b1 = centers[3];
  let na = startA;
  let nb = startB;
  let ax = 0;
  let ay = 0;
  let axx = 0;
  let ayx = 0;
  let ayy = 0;
  let bx = 0;
  let by = 0;
  let bxx = 0;
  let byx = 0;
  let byy = 0;
  for (let i = 0; i < n; i++) {
    const x0 = x[2 * i];
    const x1 = x[2 * i + 1];
    const u0 = x0 - a0;
    const u1 = x1 - a1;
    const v0 = x0 - b0;
    const v1 = x1 - b1;
    const toB = +(v0 * v0 + v1 * v1 < u0 * u0 + u1 * u1); // +(…), not a ternary: V8 compiles that to a branch
    const toA = 1 - toB;
    const pa0 = toA * x0;
    const pa1 = toA * x1;
    const pb0 = toB * x0;
    const pb1 = toB * x1;
    na += toA;
    nb += toB;
    ax += pa0;
    ay += pa1;
    bx += pb0;
    by += pb1;
    if (moments) {
      axx += pa0 * x0;
      ayx += pa1 * x0;
      ayy += pa1 * x1;
      bxx += pb0 * x0;
      byx += pb1 * x0;
      byy += pb1 * x1;
    }
  }
  return Float64Array.of(na, nb, ax, bx, ay, by, axx, bxx, ayx, byx, ayy, byy);
}
