import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import {
  componentLogDensities,
  meanLogLikelihood,
  mixtureLogDensity,
  prepareMixture,
  sampleMixture,
} from '../../math/mixture.js';
import { fitMixtureEm } from './em.js';

const options = {
  components: 2,
  init: 'kmeans' as const,
  restarts: 1,
  tolerance: 1e-6,
  maxIterations: 2000,
  regularization: 1e-6,
};

/** Direct density of a d-dimensional Gaussian through an explicitly inverted covariance (2×2 or 3×3 by cofactors). */
function densityByHand(x: number[], mean: number[], cov: number[][]): number {
  const d = x.length;
  const det = d === 2 ? cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0] : det3(cov);
  const inv =
    d === 2
      ? [
          [cov[1][1] / det, -cov[0][1] / det],
          [-cov[1][0] / det, cov[0][0] / det],
        ]
      : inverse3(cov, det);
  let q = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) q += (x[i] - mean[i]) * inv[i][j] * (x[j] - mean[j]);
  return Math.exp(-q / 2) / Math.sqrt((2 * Math.PI) ** d * det);
}
function det3(m: number[][]): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}
function inverse3(m: number[][], det: number): number[][] {
  const c = (r: number, s: number) => {
    const rows = [0, 1, 2].filter((i) => i !== r);
    const cols = [0, 1, 2].filter((j) => j !== s);
    return (
      ((r + s) % 2 ? -1 : 1) * (m[rows[0]][cols[0]] * m[rows[1]][cols[1]] - m[rows[0]][cols[1]] * m[rows[1]][cols[0]])
    );
  };
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => c(j, i) / det));
}

describe('mixture density', () => {
  it('matches the textbook formula in 2-D (unrolled path) and 3-D (generic path)', () => {
    const cases = [
      {
        means: [
          [1, -1],
          [0, 2],
        ],
        covs: [
          [
            [2, 0.6],
            [0.6, 1],
          ],
          [
            [0.5, -0.2],
            [-0.2, 0.3],
          ],
        ],
        w: [0.3, 0.7],
        x: [0.4, 0.9],
      },
      {
        means: [
          [0, 0, 0],
          [1, 2, 3],
        ],
        covs: [
          [
            [1, 0.2, 0],
            [0.2, 2, 0.3],
            [0, 0.3, 1.5],
          ],
          [
            [0.7, 0, 0.1],
            [0, 0.4, 0],
            [0.1, 0, 0.9],
          ],
        ],
        w: [0.6, 0.4],
        x: [0.5, 1, 1.5],
      },
    ];
    for (const c of cases) {
      const mixture = prepareMixture({
        dim: c.x.length,
        weights: Float64Array.from(c.w),
        means: Float64Array.from(c.means.flat()),
        covariances: Float64Array.from(c.covs.flat(2)),
      });
      const expected =
        c.w[0] * densityByHand(c.x, c.means[0], c.covs[0]) + c.w[1] * densityByHand(c.x, c.means[1], c.covs[1]);
      expect(mixtureLogDensity(mixture, Float64Array.from(c.x))[0]).toBeCloseTo(Math.log(expected), 12);
      expect(meanLogLikelihood(mixture, Float64Array.from(c.x))).toBeCloseTo(Math.log(expected), 12);
      const parts = componentLogDensities(mixture, Float64Array.from(c.x));
      expect(parts[0]).toBeCloseTo(Math.log(c.w[0] * densityByHand(c.x, c.means[0], c.covs[0])), 12);
    }
  });
});

describe('EM for Gaussian mixtures', () => {
  it('recovers a known 2-D mixture from 20,000 samples', () => {
    const truth = prepareMixture({
      dim: 2,
      weights: Float64Array.from([0.35, 0.65]),
      means: Float64Array.from([-2, 0, 2.5, 1]),
      covariances: Float64Array.from([1, 0.3, 0.3, 0.5, 0.8, -0.2, -0.2, 1.2]),
    });
    const n = 20_000;
    const x = sampleMixture(truth, n, new Rng(1));
    const fit = fitMixtureEm(x, 2, options, new Rng(2));
    expect(fit.converged).toBe(true);
    const order = fit.mixture.means[0] < fit.mixture.means[2] ? [0, 1] : [1, 0];
    order.forEach((j, t) => {
      // Standard errors at n·w ≈ 7,000 points are ~0.01 for means and weights; allow ~5 of them.
      expect(Math.abs(fit.mixture.weights[j] - truth.weights[t])).toBeLessThan(0.02);
      for (let a = 0; a < 2; a++)
        expect(Math.abs(fit.mixture.means[j * 2 + a] - truth.means[t * 2 + a])).toBeLessThan(0.06);
      for (let a = 0; a < 4; a++)
        expect(Math.abs(fit.mixture.covariances[j * 4 + a] - truth.covariances[t * 4 + a])).toBeLessThan(0.08);
    });
    // The fitted mixture explains the data at least as well as the truth does (it maximises the likelihood).
    expect(fit.lowerBound).toBeGreaterThanOrEqual(meanLogLikelihood(truth, x) - 1e-9);
    expect(fit.lowerBound).toBeCloseTo(meanLogLikelihood(prepareMixture(fit.mixture), x), 4);
  });

  it('recovers a 3-component 3-D mixture with random init and restarts (generic path)', () => {
    const truth = prepareMixture({
      dim: 3,
      weights: Float64Array.from([0.2, 0.3, 0.5]),
      means: Float64Array.from([5, 0, 0, 0, 5, 0, 0, 0, 5]),
      covariances: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
    });
    const x = sampleMixture(truth, 9000, new Rng(3));
    for (const init of ['kmeans++', 'random'] as const) {
      const fit = fitMixtureEm(x, 3, { ...options, components: 3, init, restarts: 3 }, new Rng(4));
      const weights = Array.from(fit.mixture.weights).sort();
      [0.2, 0.3, 0.5].forEach((w, i) => {
        expect(Math.abs(weights[i] - w)).toBeLessThan(0.03);
      });
    }
  });

  it('adds the regularisation to the diagonal: identical points fit a covariance of exactly reg·I', () => {
    const x = new Float64Array(200).fill(1.5);
    const fit = fitMixtureEm(x, 2, { ...options, components: 1, regularization: 1e-3 }, new Rng(5));
    expect(Array.from(fit.mixture.covariances)).toEqual([1e-3, 0, 0, 1e-3]);
    expect(Array.from(fit.mixture.means)).toEqual([1.5, 1.5]);
  });
});
