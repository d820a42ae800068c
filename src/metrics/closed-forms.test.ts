import { describe, expect, it } from 'vitest';
import { mixtureL2Distance, totalVariance } from '../math/mixture.js';
import { klDivergence, rarestOutcomes, totalVariation } from './categorical.js';
import { gaussianW2 } from './gaussian-wasserstein.js';
import { sortedW2 } from './sliced-wasserstein.js';
import { mixtureTailBounds, mixtureTailMass } from './tails.js';

const I2 = [1, 0, 0, 1];
const mixture = (weights: number[], means: number[], covariances: number[], dim: number) => ({
  dim,
  weights: Float64Array.from(weights),
  means: Float64Array.from(means),
  covariances: Float64Array.from(covariances),
});

describe('2-Wasserstein between Gaussians', () => {
  it('matches hand-computed cases', () => {
    // 1-D: W2² = (μ1 − μ2)² + (σ1 − σ2)² = 1 + 1.
    expect(gaussianW2([0], [1], [1], [4], 1)).toBeCloseTo(Math.SQRT2, 12);
    // Diagonal: W2² = |Δμ|² + Σ (σ1i − σ2i)² = (9 + 16) + (1 + 4).
    expect(gaussianW2([0, 0], [4, 0, 0, 9], [3, 4], [1, 0, 0, 1], 2)).toBeCloseTo(Math.sqrt(30), 12);
    // Non-commuting: Σ1 = [[2,1],[1,2]] (eigenvalues 3, 1), Σ2 = I: W2² = 4 + 2 − 2(√3 + 1) = 4 − 2√3.
    expect(gaussianW2([0, 0], [2, 1, 1, 2], [0, 0], I2, 2)).toBeCloseTo(Math.sqrt(4 - 2 * Math.sqrt(3)), 12);
    // Symmetric in its arguments, zero on equal inputs.
    expect(gaussianW2([1, 2], [2, 0.5, 0.5, 1], [0, 0], [1, -0.3, -0.3, 3], 2)).toBeCloseTo(
      gaussianW2([0, 0], [1, -0.3, -0.3, 3], [1, 2], [2, 0.5, 0.5, 1], 2),
      12,
    );
    expect(gaussianW2([1, 2], [2, 0.5, 0.5, 1], [1, 2], [2, 0.5, 0.5, 1], 2)).toBeLessThan(1e-7);
  });
});

describe('mixture L2 distance and total variance', () => {
  it('matches ∫(N(0,1) − N(μ,1))² = (1 − exp(−μ²/4))/√π and a numerical integral', () => {
    const a = mixture([1], [0], [1], 1);
    const b = mixture([1], [1.5], [1], 1);
    const closed = Math.sqrt((1 - Math.exp(-(1.5 ** 2) / 4)) / Math.sqrt(Math.PI));
    expect(mixtureL2Distance(a, b)).toBeCloseTo(closed, 12);
    // A two-component mixture against a Gaussian, by the trapezoid rule.
    const c = mixture([0.3, 0.7], [-1, 2], [0.5, 2], 1);
    const pdf = (x: number, m: number, v: number) => Math.exp(-((x - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    let integral = 0;
    const h = 0.001;
    for (let x = -20; x <= 20; x += h) integral += (0.3 * pdf(x, -1, 0.5) + 0.7 * pdf(x, 2, 2) - pdf(x, 0, 1)) ** 2 * h;
    expect(mixtureL2Distance(c, a)).toBeCloseTo(Math.sqrt(integral), 6);
  });

  it('total variance = trace of Σ_j w_j (Σ_j + μ_j μ_jᵀ) − μ μᵀ', () => {
    // Two unit blobs at (±3, 0): variance 1 + 9 along x, 1 along y.
    expect(totalVariance(mixture([0.5, 0.5], [3, 0, -3, 0], [...I2, ...I2], 2))).toBeCloseTo(11, 12);
  });
});

describe('tail mass', () => {
  it('is exactly 2% for the truth itself and falls for a narrower model', () => {
    const truth = mixture([1], [0, 0], I2, 2);
    const bounds = mixtureTailBounds(truth);
    expect(bounds.upper[0]).toBeCloseTo(2.3263478740408408, 9);
    expect(mixtureTailMass(truth, bounds)).toBeCloseTo(0.02, 10);
    const narrow = mixture([1], [0, 0], [0.25, 0, 0, 0.25], 2);
    // Outside ±2.326 for σ = 0.5: 2·Φ(−4.653) ≈ 3.27e-6.
    expect(mixtureTailMass(narrow, bounds)).toBeCloseTo(3.27e-6, 7);
  });
});

describe('discrete distances', () => {
  it('TV, KL and the rarest-outcome tail on hand-computed cases', () => {
    expect(totalVariation([0.5, 0.5, 0], [0.25, 0.25, 0.5])).toBeCloseTo(0.5, 15);
    expect(klDivergence([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 15);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Number.POSITIVE_INFINITY);
    expect(Array.from(rarestOutcomes([0.5, 0.05, 0.3, 0.05, 0.1], 0.15))).toEqual([1, 3, 4]);
  });
});

describe('1-D empirical W2', () => {
  it('equals the quantile-function distance for equal and unequal sizes', () => {
    expect(sortedW2(Float64Array.from([0, 1, 2]), Float64Array.from([1, 2, 3]))).toBeCloseTo(1, 15);
    // {0, 2} against {1}: quantiles 0 then 2 against 1 throughout → √(½·1 + ½·1) = 1.
    expect(sortedW2(Float64Array.from([0, 2]), Float64Array.from([1]))).toBeCloseTo(1, 15);
    // {0, 1, 2, 3} against {0, 3}: halves at (0,1 vs 0) and (2,3 vs 3) → √((0 + 1 + 1 + 0)/4).
    expect(sortedW2(Float64Array.from([0, 1, 2, 3]), Float64Array.from([0, 3]))).toBeCloseTo(Math.sqrt(0.5), 15);
  });
});
