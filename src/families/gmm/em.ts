/**
 * Expectation-maximisation for a full-covariance Gaussian mixture, following scikit-learn's GaussianMixture
 * (the paper's notebook): k-means initialisation, covariance regularisation added to the diagonal, convergence
 * when the mean log-likelihood changes by less than `tolerance`, best of `restarts` by final lower bound.
 *
 * Hand-written for speed (see docs/design.md): the E-step and the M-step's sufficient statistics are one fused
 * pass over the data with flat Float64Arrays and precomputed inverse Cholesky factors, so a 1,000-point, 2-D,
 * 2-component fit costs microseconds per iteration instead of a library call's overhead.
 */

import type { Rng } from '../../core/rng.js';
import { cholesky, invertLower } from '../../math/linalg.js';
import type { GaussianMixture } from '../../math/mixture.js';
import { normaliseLogRows } from '../../math/mixture.js';
import { LOG_2PI } from '../../math/normal.js';
import { log } from '../../numeric/libm.js';
import { type GmmEstepKernel, gmmEstepKernel } from './estep-kernel.js';
import { kmeans, kmeansPlusPlus, nearestCenter, twoCentreSums } from './kmeans.js';

export type EmInit = 'kmeans' | 'kmeans++' | 'random';

export interface EmOptions {
  readonly components: number;
  readonly init: EmInit;
  readonly restarts: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  /** Added to every covariance's diagonal (scikit-learn's reg_covar). */
  readonly regularization: number;
}

export interface EmResult {
  readonly mixture: GaussianMixture;
  /** Mean log-likelihood of the training data at convergence. */
  readonly lowerBound: number;
  readonly iterations: number;
  readonly converged: boolean;
}

const TINY = 10 * Number.EPSILON; // keeps an empty component's weight off zero, as scikit-learn does

/**
 * Fits the mixture. Two components in 2-D run their E-step in WebAssembly where it loads (estep-kernel.ts);
 * `path: 'typescript'` forces the TypeScript E-step, which gives the same bits (tests and bench/gmm compare).
 */
export function fitMixtureEm(
  x: Float64Array,
  d: number,
  options: EmOptions,
  rng: Rng,
  path: 'fastest' | 'typescript' = 'fastest',
): EmResult {
  const n = x.length / d;
  const k = options.components;
  if (n < k) throw new RangeError(`gmm: cannot fit ${k} components to ${n} point(s)`);
  const kernel = path === 'fastest' && k === 2 && d === 2 ? gmmEstepKernel() : null;

  // Centre the data: the one-pass covariance formula below stays accurate when the cloud sits far from 0.
  const shift = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let r = 0; r < d; r++) shift[r] += x[i * d + r];
  for (let r = 0; r < d; r++) shift[r] /= n;
  const centred = kernel ? kernel.points(n) : scratch(0, x.length);
  for (let i = 0; i < n; i++) for (let r = 0; r < d; r++) centred[i * d + r] = x[i * d + r] - shift[r];

  let best: EmResult | undefined;
  for (let restart = 0; restart < options.restarts; restart++) {
    const result = runEm(centred, n, d, options, rng, kernel);
    if (!best || result.lowerBound > best.lowerBound) best = result;
  }
  const fitted = best as EmResult;
  const means = fitted.mixture.means;
  for (let j = 0; j < k; j++) for (let r = 0; r < d; r++) means[j * d + r] += shift[r];
  return fitted;
}

/**
 * Working arrays reused from fit to fit (the paper's loop fits 2,001 times): a fit is synchronous and returns
 * copies, so one set per thread is safe, and it spares the collector two arrays per fit.
 */
const scratchArrays: Float64Array[] = [];
function scratch(slot: number, length: number): Float64Array {
  const held = scratchArrays[slot];
  if (held && held.length >= length) return held.subarray(0, length);
  const fresh = new Float64Array(Math.max(length, 2 * (held?.length ?? 0)));
  scratchArrays[slot] = fresh;
  return fresh.subarray(0, length);
}

/** Workspace for one EM run: parameters, their inverse Cholesky factors and the sufficient statistics. */
class EmState {
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly covariances: Float64Array;
  readonly precisionChol: Float64Array; // L⁻¹ per component, so Mahalanobis² = ‖L⁻¹(x − μ)‖²
  readonly logNorm: Float64Array;
  readonly nk: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;

  constructor(
    readonly k: number,
    readonly d: number,
    readonly regularization: number,
  ) {
    this.weights = new Float64Array(k);
    this.means = new Float64Array(k * d);
    this.covariances = new Float64Array(k * d * d);
    this.precisionChol = new Float64Array(k * d * d);
    this.logNorm = new Float64Array(k);
    this.nk = new Float64Array(k);
    this.s1 = new Float64Array(k * d);
    this.s2 = new Float64Array(k * d * d);
  }

  clearStatistics(): void {
    this.nk.fill(TINY);
    this.s1.fill(0);
    this.s2.fill(0);
  }

  /** Adds point x (at offset) with responsibility r for component j to the statistics. */
  accumulate(x: Float64Array, offset: number, j: number, r: number): void {
    const d = this.d;
    this.nk[j] += r;
    const s1 = this.s1;
    const s2 = this.s2;
    const base1 = j * d;
    const base2 = j * d * d;
    for (let a = 0; a < d; a++) {
      const rxa = r * x[offset + a];
      s1[base1 + a] += rxa;
      for (let b = 0; b <= a; b++) s2[base2 + a * d + b] += rxa * x[offset + b];
    }
  }

  /** M-step from the statistics, then the factors the next E-step needs. */
  maximise(n: number): void {
    const { k, d } = this;
    for (let j = 0; j < k; j++) {
      const nj = this.nk[j];
      this.weights[j] = nj / n;
      for (let a = 0; a < d; a++) this.means[j * d + a] = this.s1[j * d + a] / nj;
      for (let a = 0; a < d; a++)
        for (let b = 0; b <= a; b++) {
          let c = this.s2[j * d * d + a * d + b] / nj - this.means[j * d + a] * this.means[j * d + b];
          if (a === b) c += this.regularization;
          this.covariances[j * d * d + a * d + b] = c;
          this.covariances[j * d * d + b * d + a] = c;
        }
    }
    this.prepare();
  }

  prepare(): void {
    const { k, d } = this;
    for (let j = 0; j < k; j++) {
      const cov = this.covariances.subarray(j * d * d, (j + 1) * d * d);
      const l = cholesky(cov, d);
      if (!l) {
        throw new RangeError(
          `gmm: component ${j}'s covariance stopped being positive definite; raise family.regularization (now ${this.regularization})`,
        );
      }
      const inv = invertLower(l, d);
      this.precisionChol.set(inv, j * d * d);
      let logDet = 0;
      for (let a = 0; a < d; a++) logDet += log(l[a * d + a]);
      this.logNorm[j] = log(this.weights[j]) - 0.5 * d * LOG_2PI - logDet;
    }
  }

  /**
   * E-step under the current parameters, leaving responsibilities in `resp` (n × k) and the M-step's
   * statistics in nk/s1/s2; returns the mean log-likelihood. Component-major loops keep the inner loops
   * free of indirection; d = 2 (the paper's setting) has its own unrolled kernels.
   */
  expectation(x: Float64Array, n: number, resp: Float64Array): number {
    const { k, d } = this;
    if (k === 2 && d === 2) this.logDensitiesTwoByTwo(x, n, resp);
    else
      for (let j = 0; j < k; j++) {
        if (d === 2) this.logDensities2(x, n, j, resp);
        else this.logDensities(x, n, j, resp);
      }
    const total = normaliseLogRows(resp, n, k);
    this.clearStatistics();
    for (let j = 0; j < k; j++) {
      if (d === 2) this.gather2(x, n, j, resp);
      else this.gather(x, n, j, resp);
    }
    return total / n;
  }

  /** expectation for two components in 2-D by the WebAssembly kernel, on the points it holds. */
  expectationInKernel(kernel: GmmEstepKernel, n: number): number {
    const p = kernel.params;
    const pc = this.precisionChol;
    p.set([pc[0], pc[4], pc[2], pc[6], pc[3], pc[7]]);
    p.set([this.means[0], this.means[2], this.means[1], this.means[3], this.logNorm[0], this.logNorm[1]], 6);
    const total = kernel.run(n);
    this.clearStatistics();
    // The kernel's statistics come pairwise by component: n, Σx, Σy, Σxx, Σyx, Σyy; added as gather2 adds.
    for (let j = 0; j < 2; j++) {
      this.nk[j] += p[12 + j];
      this.s1[2 * j] += p[14 + j];
      this.s1[2 * j + 1] += p[16 + j];
      this.s2[4 * j] += p[18 + j];
      this.s2[4 * j + 2] += p[20 + j];
      this.s2[4 * j + 3] += p[22 + j];
    }
    return total / n;
  }

  /** resp[i*k + j] = log w_j + log N(x_i; μ_j, Σ_j). */
  private logDensities(x: Float64Array, n: number, j: number, resp: Float64Array): void {
    const { k, d } = this;
    const pc = this.precisionChol.subarray(j * d * d, (j + 1) * d * d);
    const mu = this.means.subarray(j * d, (j + 1) * d);
    const c = this.logNorm[j];
    const diff = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) diff[a] = x[i * d + a] - mu[a];
      let q = 0;
      for (let a = 0; a < d; a++) {
        let y = 0;
        for (let b = 0; b <= a; b++) y += pc[a * d + b] * diff[b];
        q += y * y;
      }
      resp[i * k + j] = c - 0.5 * q;
    }
  }

  private logDensities2(x: Float64Array, n: number, j: number, resp: Float64Array): void {
    const k = this.k;
    const base = j * 4;
    const p00 = this.precisionChol[base];
    const p10 = this.precisionChol[base + 2];
    const p11 = this.precisionChol[base + 3];
    const m0 = this.means[j * 2];
    const m1 = this.means[j * 2 + 1];
    const c = this.logNorm[j];
    for (let i = 0; i < n; i++) {
      const d0 = x[2 * i] - m0;
      const d1 = x[2 * i + 1] - m1;
      const y0 = p00 * d0;
      const y1 = p10 * d0 + p11 * d1;
      resp[i * k + j] = c - 0.5 * (y0 * y0 + y1 * y1);
    }
  }

  /**
   * logDensities2 for both of two components in one pass (measured 3% faster over the paper's loop; fusing the
   * normalisation or the statistics in as well measured slower: the exp call, or twelve running sums, spill).
   */
  private logDensitiesTwoByTwo(x: Float64Array, n: number, resp: Float64Array): void {
    const pc = this.precisionChol;
    const pa00 = pc[0];
    const pa10 = pc[2];
    const pa11 = pc[3];
    const pb00 = pc[4];
    const pb10 = pc[6];
    const pb11 = pc[7];
    const ma0 = this.means[0];
    const ma1 = this.means[1];
    const mb0 = this.means[2];
    const mb1 = this.means[3];
    const ca = this.logNorm[0];
    const cb = this.logNorm[1];
    for (let i = 0; i < n; i++) {
      const x0 = x[2 * i];
      const x1 = x[2 * i + 1];
      const ua = x0 - ma0;
      const ya0 = pa00 * ua;
      const ya1 = pa10 * ua + pa11 * (x1 - ma1);
      resp[2 * i] = ca - 0.5 * (ya0 * ya0 + ya1 * ya1);
      const ub = x0 - mb0;
      const yb0 = pb00 * ub;
      const yb1 = pb10 * ub + pb11 * (x1 - mb1);
      resp[2 * i + 1] = cb - 0.5 * (yb0 * yb0 + yb1 * yb1);
    }
  }

  /** Adds Σ r, Σ r x and the lower triangle of Σ r x xᵀ for component j. */
  private gather(x: Float64Array, n: number, j: number, resp: Float64Array): void {
    const { k, d } = this;
    const s1 = this.s1.subarray(j * d, (j + 1) * d);
    const s2 = this.s2.subarray(j * d * d, (j + 1) * d * d);
    let nk = 0;
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + j];
      nk += r;
      for (let a = 0; a < d; a++) {
        const rxa = r * x[i * d + a];
        s1[a] += rxa;
        for (let b = 0; b <= a; b++) s2[a * d + b] += rxa * x[i * d + b];
      }
    }
    this.nk[j] += nk;
  }

  private gather2(x: Float64Array, n: number, j: number, resp: Float64Array): void {
    const k = this.k;
    let nk = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + j];
      const x0 = x[2 * i];
      const x1 = x[2 * i + 1];
      const rx0 = r * x0;
      const rx1 = r * x1;
      nk += r;
      sx += rx0;
      sy += rx1;
      sxx += rx0 * x0;
      syx += rx1 * x0;
      syy += rx1 * x1;
    }
    this.nk[j] += nk;
    this.s1[j * 2] += sx;
    this.s1[j * 2 + 1] += sy;
    this.s2[j * 4] += sxx;
    this.s2[j * 4 + 2] += syx;
    this.s2[j * 4 + 3] += syy;
  }

  /** The statistics of a hard assignment of each point to its nearer centre, for two components in 2-D. */
  gatherHardTwoByTwo(x: Float64Array, n: number, centers: Float64Array): void {
    // Counts are summed one point at a time from the TINY start, as accumulate does: TINY + n rounds differently.
    const s = twoCentreSums(x, n, centers, true, this.nk[0], this.nk[1]);
    this.nk.set([s[0], s[1]]);
    this.s1.set([s[2], s[4], s[3], s[5]]);
    this.s2.set([s[6], 0, s[8], s[10], s[7], 0, s[9], s[11]]);
  }

  toMixture(): GaussianMixture {
    return {
      dim: this.d,
      weights: this.weights.slice(),
      means: this.means.slice(),
      covariances: this.covariances.slice(),
    };
  }
}

function runEm(
  x: Float64Array,
  n: number,
  d: number,
  options: EmOptions,
  rng: Rng,
  kernel: GmmEstepKernel | null,
): EmResult {
  const k = options.components;
  const state = new EmState(k, d, options.regularization);
  initialise(state, x, n, options.init, rng);
  const resp = scratch(1, n * k);
  let lowerBound = Number.NEGATIVE_INFINITY;
  let converged = false;
  let iteration = 0;
  while (iteration < options.maxIterations) {
    iteration++;
    const previous = lowerBound;
    lowerBound = kernel ? state.expectationInKernel(kernel, n) : state.expectation(x, n, resp);
    state.maximise(n);
    if (Math.abs(lowerBound - previous) < options.tolerance) {
      converged = true;
      break;
    }
  }
  return { mixture: state.toMixture(), lowerBound, iterations: iteration, converged };
}

/** Initial parameters from hard (k-means) or random soft assignments, as scikit-learn's init_params. */
function initialise(state: EmState, x: Float64Array, n: number, init: EmInit, rng: Rng): void {
  const { k, d } = state;
  state.clearStatistics();
  if (init === 'random') {
    const r = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += r[j] = rng.uniform();
      for (let j = 0; j < k; j++) state.accumulate(x, i * d, j, r[j] / sum);
    }
  } else {
    const centers = init === 'kmeans' ? kmeans(x, n, d, k, rng).centers : kmeansPlusPlus(x, n, d, k, rng);
    if (k === 2 && d === 2) state.gatherHardTwoByTwo(x, n, centers);
    else for (let i = 0; i < n; i++) state.accumulate(x, i * d, nearestCenter(x, i * d, centers, k, d), 1);
  }
  state.maximise(n);
}
