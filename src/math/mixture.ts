/**
 * Gaussian mixtures in d dimensions: density, sampling, moments, marginals and the closed-form L2 distance.
 * A single Gaussian is a mixture with one component, so the gaussian and gmm families and the metrics share
 * this one representation.
 */

import type { Rng } from '../core/rng.js';
import { exp, log } from '../numeric/libm.js';
import { cholesky, logDetFromCholesky } from './linalg.js';
import { LOG_2PI, normalCdf } from './normal.js';

export interface GaussianMixture {
  readonly dim: number;
  /** k weights summing to 1. */
  readonly weights: Float64Array;
  /** k × d, row-major. */
  readonly means: Float64Array;
  /** k × d × d, row-major. */
  readonly covariances: Float64Array;
}

/** A mixture with its Cholesky factors and log normalisers computed once, for fast density and sampling. */
export interface PreparedMixture extends GaussianMixture {
  readonly k: number;
  readonly cholesky: Float64Array;
  /** log w_j − (d/2) log 2π − ½ log det Σ_j */
  readonly logNorm: Float64Array;
}

export function componentCount(m: GaussianMixture): number {
  return m.weights.length;
}

export function prepareMixture(m: GaussianMixture): PreparedMixture {
  const k = m.weights.length;
  const d = m.dim;
  const chol = new Float64Array(k * d * d);
  const logNorm = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const l = cholesky(
      m.covariances.subarray(j * d * d, (j + 1) * d * d),
      d,
      chol.subarray(j * d * d, (j + 1) * d * d),
    );
    if (!l) throw new RangeError(`mixture component ${j}'s covariance is not positive definite`);
    logNorm[j] = log(m.weights[j]) - 0.5 * d * LOG_2PI - 0.5 * logDetFromCholesky(l, d);
  }
  return { ...m, k, cholesky: chol, logNorm };
}

/**
 * log w_j + log N(x_i; μ_j, Σ_j) for every point and component: out[i*k + j]. Solves L z = x − μ by forward
 * substitution (no inverse is formed); d = 2 has an unrolled loop, being the paper's setting and EM's hot path.
 */
export function componentLogDensities(p: PreparedMixture, x: Float64Array, out?: Float64Array): Float64Array {
  const { k, dim: d } = p;
  const n = x.length / d;
  const result = out ?? new Float64Array(n * k);
  const z = new Float64Array(d);
  for (let j = 0; j < k; j++) {
    const l = p.cholesky.subarray(j * d * d, (j + 1) * d * d);
    const mu = p.means.subarray(j * d, (j + 1) * d);
    const c = p.logNorm[j];
    if (d === 2) {
      const inv00 = 1 / l[0];
      const l10 = l[2];
      const inv11 = 1 / l[3];
      const m0 = mu[0];
      const m1 = mu[1];
      for (let i = 0; i < n; i++) {
        const z0 = (x[2 * i] - m0) * inv00;
        const z1 = (x[2 * i + 1] - m1 - l10 * z0) * inv11;
        result[i * k + j] = c - 0.5 * (z0 * z0 + z1 * z1);
      }
      continue;
    }
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let r = 0; r < d; r++) {
        let s = x[i * d + r] - mu[r];
        for (let t = 0; t < r; t++) s -= l[r * d + t] * z[t];
        s /= l[r * d + r];
        z[r] = s;
        q += s * s;
      }
      result[i * k + j] = c - 0.5 * q;
    }
  }
  return result;
}

/** log p(x_i) for every point (log-sum-exp over components). */
export function mixtureLogDensity(p: PreparedMixture, x: Float64Array): Float64Array {
  const k = p.k;
  const n = x.length / p.dim;
  const comp = componentLogDensities(p, x);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = logSumExp(comp, i * k, k);
  return out;
}

/** Mean log p(x_i) over the points, with one exp per extra component and few logs (see normaliseLogRows). */
export function meanLogLikelihood(p: PreparedMixture, x: Float64Array, scratch?: Float64Array): number {
  const n = x.length / p.dim;
  const comp = componentLogDensities(p, x, scratch && scratch.length >= n * p.k ? scratch : undefined);
  return normaliseLogRows(comp, n, p.k) / n;
}

export function logSumExp(values: ArrayLike<number>, offset: number, count: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < count; j++) if (values[offset + j] > max) max = values[offset + j];
  if (max === Number.NEGATIVE_INFINITY) return max;
  let s = 0;
  for (let j = 0; j < count; j++) s += exp(values[offset + j] - max);
  return max + log(s);
}

/** n points: a component by its weight, then μ + L z with z standard normal. */
export function sampleMixture(p: PreparedMixture, n: number, rng: Rng): Float64Array {
  const { k, dim: d } = p;
  const out = new Float64Array(n * d);
  const z = new Float64Array(d);
  const cumulative = new Float64Array(k);
  let acc = 0;
  for (let j = 0; j < k; j++) cumulative[j] = acc += p.weights[j];
  if (d === 2 && k <= 2) {
    samplePlane(p, cumulative[0], acc, out, rng);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const u = rng.uniform() * acc;
    let j = 0;
    while (j < k - 1 && u >= cumulative[j]) j++;
    for (let r = 0; r < d; r++) z[r] = rng.normal();
    const l = j * d * d; // an offset, not a subarray: a view per point was most of a run's garbage
    for (let r = 0; r < d; r++) {
      let s = p.means[j * d + r];
      for (let t = 0; t <= r; t++) s += p.cholesky[l + r * d + t] * z[t];
      out[i * d + r] = s;
    }
  }
  return out;
}

/**
 * sampleMixture for one or two components in 2-D (the paper's GMM, its hot path), bit-identical to the general
 * loop: the component is an index, not a branch (a coin flip per point would mispredict half the time).
 */
function samplePlane(p: PreparedMixture, firstWeight: number, total: number, out: Float64Array, rng: Rng): void {
  const n = out.length / 2;
  const last = p.k - 1;
  const { means, cholesky: l } = p;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform() * total;
    const j = +(u >= firstWeight) & last; // +(…), not a ternary: V8 compiles that to a branch
    const z0 = rng.normal();
    const z1 = rng.normal();
    out[2 * i] = means[2 * j] + l[4 * j] * z0;
    out[2 * i + 1] = means[2 * j + 1] + l[4 * j + 2] * z0 + l[4 * j + 3] * z1;
  }
}

/** The mixture's mean vector. */
export function mixtureMean(m: GaussianMixture): Float64Array {
  const d = m.dim;
  const mean = new Float64Array(d);
  for (let j = 0; j < m.weights.length; j++) for (let r = 0; r < d; r++) mean[r] += m.weights[j] * m.means[j * d + r];
  return mean;
}

/** The mixture's covariance: Σ_j w_j (Σ_j + μ_j μ_jᵀ) − μ μᵀ. */
export function mixtureCovariance(m: GaussianMixture): Float64Array {
  const d = m.dim;
  const mean = mixtureMean(m);
  const cov = new Float64Array(d * d);
  for (let j = 0; j < m.weights.length; j++) {
    const w = m.weights[j];
    for (let r = 0; r < d; r++)
      for (let c = 0; c < d; c++) {
        cov[r * d + c] += w * (m.covariances[j * d * d + r * d + c] + m.means[j * d + r] * m.means[j * d + c]);
      }
  }
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) cov[r * d + c] -= mean[r] * mean[c];
  return cov;
}

/** Total variance: the trace of the mixture's covariance. */
export function totalVariance(m: GaussianMixture): number {
  const cov = mixtureCovariance(m);
  let s = 0;
  for (let r = 0; r < m.dim; r++) s += cov[r * m.dim + r];
  return s;
}

/** The 1-D marginal along one coordinate: weights, means and variances. */
export function marginal(
  m: GaussianMixture,
  axis: number,
): { weights: Float64Array; means: Float64Array; variances: Float64Array } {
  const k = m.weights.length;
  const d = m.dim;
  const means = new Float64Array(k);
  const variances = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    means[j] = m.means[j * d + axis];
    variances[j] = m.covariances[j * d * d + axis * d + axis];
  }
  return { weights: m.weights, means, variances };
}

/** CDF of a 1-D mixture marginal at x. */
export function marginalCdf(mg: ReturnType<typeof marginal>, x: number): number {
  let s = 0;
  for (let j = 0; j < mg.weights.length; j++)
    s += mg.weights[j] * normalCdf((x - mg.means[j]) / Math.sqrt(mg.variances[j]));
  return s;
}

/** [min μⱼ − c·σⱼ, max μⱼ + c·σⱼ] over the components of a 1-D mixture (means and variances). */
export function componentSpan(means: ArrayLike<number>, variances: ArrayLike<number>, c: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < means.length; j++) {
    const s = Math.sqrt(variances[j]);
    lo = Math.min(lo, means[j] - c * s);
    hi = Math.max(hi, means[j] + c * s);
  }
  return [lo, hi];
}

/** Quantile of a 1-D mixture marginal by bisection on its CDF (to ~1e-12 in x). */
export function marginalQuantile(mg: ReturnType<typeof marginal>, p: number): number {
  let [lo, hi] = componentSpan(mg.means, mg.variances, 40);
  for (let it = 0; it < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); it++) {
    const mid = 0.5 * (lo + hi);
    if (marginalCdf(mg, mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** ∫ N(x; a, A) N(x; b, B) dx = N(a; b, A + B). */
function gaussianOverlap(a: GaussianMixture, i: number, b: GaussianMixture, j: number): number {
  const d = a.dim;
  const sum = new Float64Array(d * d);
  for (let t = 0; t < d * d; t++) sum[t] = a.covariances[i * d * d + t] + b.covariances[j * d * d + t];
  const l = cholesky(sum, d);
  if (!l) return 0;
  let q = 0;
  const z = new Float64Array(d);
  for (let r = 0; r < d; r++) {
    let s = a.means[i * d + r] - b.means[j * d + r];
    for (let t = 0; t < r; t++) s -= l[r * d + t] * z[t];
    z[r] = s / l[r * d + r];
    q += z[r] * z[r];
  }
  return exp(-0.5 * q - 0.5 * d * LOG_2PI - 0.5 * logDetFromCholesky(l, d));
}

function crossTerm(a: GaussianMixture, b: GaussianMixture): number {
  let s = 0;
  for (let i = 0; i < a.weights.length; i++)
    for (let j = 0; j < b.weights.length; j++) s += a.weights[i] * b.weights[j] * gaussianOverlap(a, i, b, j);
  return s;
}

/** The L2 distance ‖p − q‖₂ = (∫ (p − q)²)^½ between two mixture densities, in closed form. */
export function mixtureL2Distance(a: GaussianMixture, b: GaussianMixture): number {
  return Math.sqrt(Math.max(0, crossTerm(a, a) + crossTerm(b, b) - 2 * crossTerm(a, b)));
}

/**
 * Turns each row of log-joint densities into responsibilities in place; returns Σ_i log Σ_j exp(row_ij).
 * The per-row sums s_i lie in [1, k], so their logs are taken in chunks as the log of a running product
 * (kept below ~1e300): one Math.log per few hundred points instead of one per point.
 */
export function normaliseLogRows(resp: Float64Array, n: number, k: number): number {
  if (k === 2) return normaliseLogRows2(resp, n);
  const chunk = Math.max(1, Math.floor(690 / log(Math.max(k, 2))));
  let total = 0;
  let product = 1;
  let inChunk = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let max = resp[row];
    for (let j = 1; j < k; j++) if (resp[row + j] > max) max = resp[row + j];
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = exp(resp[row + j] - max);
      resp[row + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < k; j++) resp[row + j] *= inv;
    total += max;
    product *= sum;
    if (++inChunk === chunk) {
      total += log(product);
      product = 1;
      inChunk = 0;
    }
  }
  return total + log(product);
}

/** normaliseLogRows for two components: one exp per point, r_small = e/(1+e) with e = exp(−|Δ|). */
function normaliseLogRows2(resp: Float64Array, n: number): number {
  let total = 0;
  let product = 1;
  let inChunk = 0;
  for (let i = 0; i < n; i++) {
    const a = resp[2 * i];
    const b = resp[2 * i + 1];
    const big = Math.max(a, b);
    const e = exp(-Math.abs(a - b));
    const sum = 1 + e;
    const rBig = 1 / sum;
    const rSmall = e * rBig;
    resp[2 * i] = a > b ? rBig : rSmall;
    resp[2 * i + 1] = a > b ? rSmall : rBig;
    total += big;
    product *= sum;
    if (++inChunk === 900) {
      total += log(product); // sum ≤ 2, so 900 factors stay below 2^900
      product = 1;
      inChunk = 0;
    }
  }
  return total + log(product);
}
