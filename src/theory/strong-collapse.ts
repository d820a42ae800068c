/**
 * Strong collapse (Dohmatob, Feng, Subramonian, Kempe 2025): an estimator trained once on n items, of which a share
 * p comes from a fixed, biased generator, has an error that falls to a floor set by p and the generator's bias, not
 * to 0, however large n grows. Closed forms for the two estimators the lab can check exactly, with nReal real and
 * nSynthetic generated items (the counts, not the shares, so a test can hand-compute them):
 *
 *   mean of a Gaussian:  E(μ̂ − μ)² = (nₛ/n · b)² + (n_r σ² + nₛ σₛ²)/n²             (b: the generator's mean − μ)
 *   categorical (MLE):   E‖q̂ − π‖² = (nₛ/n)² ‖g − π‖² + (n_r (1 − Σπ²) + nₛ (1 − Σg²))/n²
 *
 * The first term is the floor (p·b)²; the second is the clean estimator's error, → 0 as 1/n.
 */

export interface MixedCounts {
  readonly nReal: number;
  readonly nSynthetic: number;
}

/** Expected squared error of the sample mean of n_r draws of N(μ, σ²) and nₛ of N(μ + b, σₛ²). */
export function meanErrorSquared(
  { nReal, nSynthetic }: MixedCounts,
  { bias, realVariance, generatorVariance }: { bias: number; realVariance: number; generatorVariance: number },
): number {
  const n = nReal + nSynthetic;
  return ((nSynthetic / n) * bias) ** 2 + (nReal * realVariance + nSynthetic * generatorVariance) / n ** 2;
}

/**
 * The spread of (μ̂ − μ)² itself: μ̂ − μ is exactly normal with mean m = (nₛ/n)·b and variance v, so its square has
 * variance 2v² + 4m²v — the standard error a mean over seeds has, exact however skewed the square is.
 */
export function meanErrorSquaredSd(
  { nReal, nSynthetic }: MixedCounts,
  { bias, realVariance, generatorVariance }: { bias: number; realVariance: number; generatorVariance: number },
): number {
  const n = nReal + nSynthetic;
  const m = (nSynthetic / n) * bias;
  const v = (nReal * realVariance + nSynthetic * generatorVariance) / n ** 2;
  return Math.sqrt(2 * v * v + 4 * m * m * v);
}

/** Expected squared L2 error of the empirical frequencies of n_r draws from π and nₛ from g. */
export function frequencyErrorSquared(
  { nReal, nSynthetic }: MixedCounts,
  truth: ArrayLike<number>,
  generator: ArrayLike<number>,
): number {
  const n = nReal + nSynthetic;
  let gap = 0;
  let truthSquares = 0;
  let generatorSquares = 0;
  for (let k = 0; k < truth.length; k++) {
    gap += (generator[k] - truth[k]) ** 2;
    truthSquares += truth[k] ** 2;
    generatorSquares += generator[k] ** 2;
  }
  return (nSynthetic / n) ** 2 * gap + (nReal * (1 - truthSquares) + nSynthetic * (1 - generatorSquares)) / n ** 2;
}

/** The counts of an n-item training set with a synthetic share p: round(p·n) generated, the rest real. */
export function mixedCounts(n: number, syntheticFraction: number): MixedCounts {
  const nSynthetic = Math.round(syntheticFraction * n);
  return { nReal: n - nSynthetic, nSynthetic };
}
