/**
 * A 1-D Gaussian refitted by MLE under `mix` with fresh real data: each generation trains on k real draws of
 * N(0, 1) and M − k samples of the previous model N(μ, σ²). The pooled MLE variance and mean have conditional
 * moments linear in (σ², μ²), so the expected trajectory is an exact 2-D linear recursion:
 *
 *   E σ²' = (k−1)/M + (M−k)/M² + [(M−k−1)/M + k/M²] σ² + k(M−k)/M² μ²
 *   E μ'² = k/M² + ((M−k)/M)² μ² + (M−k)/M² σ²
 *
 * (within-group scatter, plus the between-group term k(M−k)/M²·(x̄_r − x̄_s)²). Its fixed point is the stationary
 * error; its largest eigenvalue ρ the per-generation contraction, 1 − ρ ≈ k/M + 1/M the convergence rate. With
 * k = 0 (replace) the fixed point is σ² = 0: the error is unbounded. With k ≥ 1 it is bounded, so the threshold
 * in the real fraction λ is where round(λM) reaches 1, λ = 1/(2M).
 */

export interface MixMoments {
  /** Stationary E σ² and E μ² (the truth is 0 and 1). */
  readonly variance: number;
  readonly meanSquare: number;
  /** Largest eigenvalue of the recursion: the share of the expected error left after one generation. */
  readonly contraction: number;
}

function recursion(M: number, k: number) {
  return {
    a0: (k - 1) / M + (M - k) / M ** 2,
    a1: (M - k - 1) / M + k / M ** 2,
    a2: (k * (M - k)) / M ** 2,
    b0: k / M ** 2,
    b1: ((M - k) / M) ** 2,
    b2: (M - k) / M ** 2,
  };
}

/** The stationary moments and contraction for k real items of M per generation. */
export function mixMoments(M: number, k: number): MixMoments {
  if (!(Number.isInteger(M) && M >= 2 && Number.isInteger(k) && k >= 0 && k <= M))
    throw new RangeError(`mixMoments: need integers M ≥ 2 and 0 ≤ k ≤ M, got M ${M}, k ${k}`);
  // Replace: the variance shrinks by (M−1)/M a step to 0 while E[σ² + μ²] stays 1 (from the standard start).
  if (k === 0) return { variance: 0, meanSquare: 1, contraction: 1 };
  const { a0, a1, a2, b0, b1, b2 } = recursion(M, k);
  const variance = (a0 + (a2 * b0) / (1 - b1)) / (1 - a1 - (a2 * b2) / (1 - b1));
  const meanSquare = (b0 + b2 * variance) / (1 - b1);
  // Eigenvalues of [[a1, a2], [b2, b1]]: the larger one governs how fast the expected error settles.
  const half = (a1 + b1) / 2;
  const contraction = half + Math.sqrt(((a1 - b1) / 2) ** 2 + a2 * b2);
  return { variance, meanSquare, contraction };
}

/** The expected (E σ², E μ²) after each of `generations` steps from (σ₀², μ₀²). */
export function mixTrajectory(
  M: number,
  k: number,
  generations: number,
  start = { variance: 1, meanSquare: 0 },
): { variance: number; meanSquare: number }[] {
  const { a0, a1, a2, b0, b1, b2 } = recursion(M, k);
  const out = [start];
  let { variance: v, meanSquare: u } = start;
  for (let g = 1; g < generations; g++) {
    [v, u] = [a0 + a1 * v + a2 * u, b0 + b1 * u + b2 * v];
    out.push({ variance: v, meanSquare: u });
  }
  return out;
}
