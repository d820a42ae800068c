/**
 * The 2-Wasserstein distance between two Gaussians in closed form (Dowson & Landau 1982; Givens & Shortt 1984):
 *   W2² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₂^½ Σ₁ Σ₂^½)^½)
 */
import { matmul, sqrtPsd, trace } from '../math/linalg.js';

export function gaussianW2(
  mean1: ArrayLike<number>,
  cov1: ArrayLike<number>,
  mean2: ArrayLike<number>,
  cov2: ArrayLike<number>,
  d: number,
): number {
  let meanPart = 0;
  for (let r = 0; r < d; r++) meanPart += (mean1[r] - mean2[r]) ** 2;
  const root2 = sqrtPsd(cov2, d);
  const cross = sqrtPsd(matmul(matmul(root2, cov1, d), root2, d), d);
  const covPart = trace(cov1, d) + trace(cov2, d) - 2 * trace(cross, d);
  return Math.sqrt(Math.max(0, meanPart + covPart));
}
