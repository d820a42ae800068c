/**
 * Closed forms for a 1-D Gaussian refitted to M of its own samples every generation (Shumailov et al. 2024,
 * §4.2; the estimators' laws are textbook). Generation 0 fits M real draws of N(μ, σ²); generation n fits M
 * draws from generation n−1's fit, so n + 1 fits separate generation n from the truth.
 */

import { Rng } from '../core/rng.js';
import { digamma, lgamma, trigamma } from '../math/special.js';
import { exp, log, pow } from '../numeric/libm.js';
import type { TheoryCheck } from './check.js';

export type VarianceEstimator = 'mle' | 'unbiased';

/** The divisor of the sum of squares: M for the MLE (ddof 0), M − 1 for the unbiased estimator. */
const divisor = (M: number, estimator: VarianceEstimator) => (estimator === 'mle' ? M : M - 1);

/**
 * One refit multiplies the variance by χ²_{M−1}/c (c the divisor). Its log has mean ψ((M−1)/2) + ln(2/c) and
 * variance ψ′((M−1)/2): the drift and spread of the random walk log σ̂² performs under `replace`.
 */
export function logVarianceStep(M: number, estimator: VarianceEstimator): { mean: number; variance: number } {
  const k = M - 1;
  return { mean: digamma(k / 2) + log(2 / divisor(M, estimator)), variance: trigamma(k / 2) };
}

/** E[σ̂²ₙ]/σ² under replace: ((M−1)/c)ⁿ⁺¹ (1 for the unbiased estimator, a martingale; shrinking for the MLE). */
export function expectedVarianceRatio(n: number, M: number, estimator: VarianceEstimator): number {
  return pow((M - 1) / divisor(M, estimator), n + 1);
}

/**
 * A central band of σ̂²ₙ/σ² under replace: log σ̂²ₙ/σ² is a sum of n + 1 independent log(χ²/c) terms, so by the
 * central limit theorem it is close to normal with the summed mean and variance (exact in the limit, and good
 * after a few generations at M ≥ 20).
 */
export function varianceRatioBand(n: number, M: number, estimator: VarianceEstimator, z = 1.96): [number, number] {
  const step = logVarianceStep(M, estimator);
  const mean = (n + 1) * step.mean;
  const sd = Math.sqrt((n + 1) * step.variance);
  return [exp(mean - z * sd), exp(mean + z * sd)];
}

/**
 * E[(μₙ − μ)²]/σ² under replace with the MLE: each fit adds its sample mean's variance σ̂²/M, whose expectation
 * shrinks as the variance does; with the unbiased estimator (a martingale) it is exactly (n + 1)/M.
 */
export function meanSquareDrift(n: number, M: number, estimator: VarianceEstimator): number {
  let total = 0;
  for (let i = 0; i <= n; i++) total += expectedVarianceRatio(i - 1, M, estimator) / M;
  return total;
}

/**
 * E[(μₙ − μ)²]/σ² under `accumulate` (generation n fits the (n + 1)·M items made so far, each set drawn from the
 * fit before): Σⱼ₌₁ⁿ⁺¹ 1/(j² M) to first order, bounded by π²/(6M) however long the run (Gerstgrasser et al.).
 */
export function accumulateMeanSquareDrift(n: number, M: number): number {
  let total = 0;
  for (let j = 1; j <= n + 1; j++) total += 1 / (j * j * M);
  return total;
}

/**
 * E[σ̂]/σ of one refit: √(χ²_k/c) with k = M − 1 has mean √(2/c) Γ((k + 1)/2)/Γ(k/2), below √(k/c) (Jensen).
 */
function sdFactor(M: number, estimator: VarianceEstimator): number {
  const k = M - 1;
  return Math.sqrt(2 / divisor(M, estimator)) * exp(lgamma((k + 1) / 2) - lgamma(k / 2));
}

/**
 * E[W₂²]/σ² from generation n's fit to the truth under replace, exactly. In 1-D W₂² = (μₙ − μ)² + (σₙ − σ)², and
 * σₙ/σ is a product of n + 1 independent √(χ²/c) factors (the first from the R real draws), so
 *
 *   E W₂²/σ² = Σᵢ₌₀ⁿ E[σ²ᵢ₋₁]/Mᵢ + E[σ²ₙ] − 2 E[σₙ] + 1      (σ₋₁ = σ, M₀ = R),
 *
 * each expectation a product of the factors' means. To first order in 1/M this is (3/2) Σᵢ 1/Mᵢ for either
 * estimator (w2SquaredFirstOrder): the mean's walk gives Σ 1/Mᵢ, the spread's Σ 1/(2Mᵢ). The first order
 * overstates it once Σ 1/Mᵢ is not small: the exact form tends to 1 + E(μ∞ − μ)² as σₙ → 0 (MLE).
 */
export function expectedW2Squared(n: number, M: number, estimator: VarianceEstimator, R = M): number {
  const v0 = (R - 1) / divisor(R, estimator); // E σ²₀/σ²
  const v = (M - 1) / divisor(M, estimator);
  let meanPart = 1 / R;
  for (let i = 1; i <= n; i++) meanPart += (v0 * pow(v, i - 1)) / M;
  const variance = v0 * pow(v, n);
  const sd = sdFactor(R, estimator) * pow(sdFactor(M, estimator), n);
  return meanPart + variance - 2 * sd + 1;
}

/** The first-order E[W₂²]/σ² under replace: (3/2) Σᵢ 1/Mᵢ = (3/2)(1/R + n/M) (the form). */
export function w2SquaredFirstOrder(n: number, M: number, R = M): number {
  return 1.5 * (1 / R + n / M);
}

/**
 * E[W₂²]/σ² under `accumulate`, to first order in 1/M: the fitted mean and variance both average the batches so
 * far, so each walk's steps shrink as 1/j and (3/2)/M Σⱼ₌₁ⁿ⁺¹ 1/j² follows, bounded by π²/(4M) (Gerstgrasser
 * et al. 2024) however long the run.
 */
export function accumulateW2SquaredFirstOrder(n: number, M: number): number {
  return 1.5 * accumulateMeanSquareDrift(n, M);
}

/** The bound of accumulateW2SquaredFirstOrder over all generations: π²/(4M). */
export const accumulateW2SquaredBound = (M: number) => (Math.PI * Math.PI) / (4 * M);

/** A χ²_k draw: 2·Gamma(k/2), by Marsaglia and Tsang's squeeze (k/2 ≥ 1, so no boost is needed for k ≥ 2). */
function chiSquare(k: number, rng: Rng): number {
  const d = k / 2 - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniformOpen();
    if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v))) return 2 * d * v;
  }
}

/**
 * Draws of W₂²/σ² per generation under replace from the exact law, by Monte Carlo: the fitted mean and variance
 * as a chain (σ² ← σ² χ²_{M−1}/c, μ ← μ + σ_prev Z/√M). `draws[g]` holds `paths` independent values, seeded, so
 * every report shows the same band. Needs M, R ≥ 3.
 */
export function w2SquaredDraws(
  generations: number,
  M: number,
  estimator: VarianceEstimator,
  R = M,
  paths = 1000,
  seed = 1,
): Float64Array[] {
  const values = Array.from({ length: generations }, () => new Float64Array(paths));
  simulateW2Squared(generations, M, estimator, R, paths, seed, (g, p, v) => {
    values[g][p] = v;
  });
  return values;
}

function simulateW2Squared(
  generations: number,
  M: number,
  estimator: VarianceEstimator,
  R: number,
  paths: number,
  seed: number,
  record: (generation: number, path: number, value: number) => void,
): void {
  const rng = new Rng(seed, 0x77325);
  for (let p = 0; p < paths; p++) {
    let mu = 0;
    let variance = 1;
    for (let g = 0; g < generations; g++) {
      const m = g === 0 ? R : M;
      mu += Math.sqrt(variance / m) * rng.normal();
      variance *= chiSquare(m - 1, rng) / divisor(m, estimator);
      record(g, p, mu * mu + (Math.sqrt(variance) - 1) ** 2);
    }
  }
}

/** The central `level` of a sample. */
export function centralInterval(xs: Float64Array, level = 0.95): [number, number] {
  const sorted = Float64Array.from(xs).sort();
  const tail = (1 - level) / 2;
  return [sorted[Math.floor(tail * sorted.length)], sorted[Math.ceil((1 - tail) * sorted.length) - 1]];
}

/** The central 95% of W₂²/σ² per generation under replace (w2SquaredDraws), for a single run's figure. */
export function w2SquaredBand(
  generations: number,
  M: number,
  estimator: VarianceEstimator,
  R = M,
): { lo: Float64Array; hi: Float64Array } {
  const draws = w2SquaredDraws(generations, M, estimator, R);
  const bands = draws.map((d) => centralInterval(d));
  return { lo: Float64Array.from(bands, (b) => b[0]), hi: Float64Array.from(bands, (b) => b[1]) };
}

/**
 * The central `level` of the mean W₂²/σ² over `seeds` runs at generation n under replace: W₂² is heavy-tailed, so
 * a few seeds' standard error says little; the law of their mean is drawn instead, `seeds` exact paths at a time.
 */
export function w2SquaredMeanInterval(
  n: number,
  seeds: number,
  M: number,
  estimator: VarianceEstimator,
  R = M,
  level = 0.999,
  resamples = 4000,
): [number, number] {
  const draws = new Float64Array(resamples * seeds);
  simulateW2Squared(n + 1, M, estimator, R, draws.length, 2, (g, p, v) => {
    if (g === n) draws[p] = v;
  });
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let k = 0; k < seeds; k++) s += draws[b * seeds + k];
    means[b] = s / seeds;
  }
  return centralInterval(means, level);
}

/**
 * The sample size at which a Gaussian refitted by MLE drifts in log-variance by `slope` per generation: the
 * solution M of ψ((M−1)/2) + ln(2/M) = slope (the drift rises monotonically towards 0 with M). Used to put any
 * family's collapse rate on one scale: "collapses like a Gaussian fitted to M_eff samples".
 */
export function effectiveSampleSize(slope: number): number {
  if (!(slope < 0)) return Number.POSITIVE_INFINITY;
  const drift = (M: number) => logVarianceStep(M, 'mle').mean;
  let lo = 2;
  let hi = 4;
  while (drift(hi) < slope) hi *= 2;
  if (drift(lo) > slope) return lo;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (drift(mid) < slope) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * One run under `replace`: the change of log σ² from generation 0 to generation n is a sum of n independent
 * log(χ²/c) steps, so its z-score against n·drift (spread √(n·ψ′)) tests the run against theory.
 */
export function logVarianceCheck(
  variances: readonly number[],
  M: number,
  estimator: VarianceEstimator,
): TheoryCheck | undefined {
  const n = variances.length - 1;
  if (n < 1 || !(variances[0] > 0) || !(variances[n] > 0)) return undefined;
  const step = logVarianceStep(M, estimator);
  const measured = log(variances[n] / variances[0]);
  const expected = n * step.mean;
  const sd = Math.sqrt(n * step.variance);
  const z = (measured - expected) / sd;
  return { name: `log σ² change over ${n} generations`, measured, expected, sd, z, inBand: Math.abs(z) < 3.5 };
}

/**
 * One run's fitted means against the law of their steps, under replace or accumulate. Generation g's batch is M
 * draws of N(μ_{g−1}, σ²_{g−1}) (generation 0's: R real draws of the truth), and the fitted mean moves by that
 * batch's mean error times w_g = 1 under replace, M/(R + gM) under accumulate (the batch's share of all items
 * so far; 1/(g + 1) when R = M). So eₘ = (μ_g − μ_{g−1}) √M / (w_g σ_{g−1}) are independent N(0, 1) exactly, whatever σ did, and
 * Σ e² over the n + 1 steps is χ²ₙ₊₁: its z, (Σe² − (n + 1))/√(2(n + 1)), tests the scale of the mean's walk
 * (the quantity E(μₙ − μ)² = σ²/M Σ 1/j² is built from). A fit that moves its mean too far or too little fails.
 * `variances` are the fitted σ², the same estimator the sampler draws with.
 */
export function meanStepCheck(
  means: readonly number[],
  variances: readonly number[],
  truth: { mean: number; variance: number },
  M: number,
  policy: 'replace' | 'accumulate',
  R = M,
): TheoryCheck | undefined {
  const n = means.length - 1;
  if (n < 1) return undefined;
  let sum = (means[0] - truth.mean) ** 2 / (truth.variance / R);
  for (let g = 1; g <= n; g++) {
    if (!(variances[g - 1] > 0)) return undefined;
    const w = policy === 'replace' ? 1 : M / (R + g * M);
    sum += (means[g] - means[g - 1]) ** 2 / ((w * w * variances[g - 1]) / M);
  }
  const df = n + 1;
  const sd = Math.sqrt(2 * df);
  const z = (sum - df) / sd;
  return {
    name: `Σ squared standardized mean steps (χ², ${df} df, ${policy})`,
    measured: sum,
    expected: df,
    sd,
    z,
    inBand: Math.abs(z) < 3.5,
  };
}
