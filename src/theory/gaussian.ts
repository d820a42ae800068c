/**
 * Closed forms for a 1-D Gaussian refitted to M of its own samples every generation (Shumailov et al. 2024,
 * §4.2; the estimators' laws are textbook). Generation 0 fits M real draws of N(μ, σ²); generation n fits M
 * draws from generation n−1's fit, so n + 1 fits separate generation n from the truth.
 */

import { digamma, trigamma } from '../math/special.js';
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
