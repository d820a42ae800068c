import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import {
  componentLogDensities,
  meanLogLikelihood,
  mixtureLogDensity,
  prepareMixture,
  sampleMixture,
} from '../../math/mixture.js';
import { exp } from '../../numeric/libm.js';
import { type EmOptions, fitMixtureEm } from './em.js';
import { gmmEstepKernel } from './estep-kernel.js';

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

describe('the WebAssembly E-step (two components in 2-D)', () => {
  /** Points from a two-component mixture at a given scale, offset and separation. */
  function cloud(n: number, seed: number, scale: number, offset: number, separation: number): Float64Array {
    const mixture = {
      dim: 2,
      weights: Float64Array.of(0.3, 0.7),
      means: Float64Array.of(offset, offset, offset + separation * scale, offset - separation * scale * 0.5),
      covariances: Float64Array.of(
        scale ** 2,
        0.3 * scale ** 2,
        0.3 * scale ** 2,
        2 * scale ** 2,
        scale ** 2,
        0,
        0,
        scale ** 2,
      ),
    };
    return sampleMixture(prepareMixture(mixture), n, new Rng(seed, 7));
  }

  function expectSameBits(x: Float64Array, fitOptions: EmOptions): void {
    const fast = fitMixtureEm(x, 2, fitOptions, new Rng(3, 1));
    const reference = fitMixtureEm(x, 2, fitOptions, new Rng(3, 1), 'typescript');
    expect(fast.iterations).toBe(reference.iterations);
    expect(Object.is(fast.lowerBound, reference.lowerBound)).toBe(true);
    for (const key of ['weights', 'means', 'covariances'] as const) {
      expect(Array.from(fast.mixture[key])).toEqual(Array.from(reference.mixture[key]));
    }
  }

  it('loads in Node', () => {
    expect(gmmEstepKernel()).not.toBeNull();
  });

  it('computes exp as libm does, bit for bit, in every range of fdlibm (shortcuts, subnormals, 0, NaN)', () => {
    const edges = [
      0,
      -0,
      -(2 ** -28),
      -(2 ** -28) * 0.999,
      -0.34657359027997264,
      -0.3465735902799727,
      -1.03972053527832,
    ];
    const values = [...edges, -1.0397207708399179, -708, -708.4, -745.13, -746, Number.NEGATIVE_INFINITY, Number.NaN];
    const rng = new Rng(11, 0);
    for (const width of [1e-12, 1e-8, 0.4, 1.1, 30, 720, 800])
      for (let i = 0; i < 30000; i++) values.push(-rng.uniform() * width);
    // Between ½ ln 2 and fdlibm's reduction threshold (its high word 0x3fd62e43), fdlibm keeps k = 0.
    for (let i = 0; i < 30000; i++) values.push(-(0.34657359027997264 + rng.uniform() * 9.4e-10));
    const kernelExp = gmmEstepKernel()?.exp(Float64Array.from(values)) ?? [];
    const mismatches = values.filter((v, i) => !Object.is(kernelExp[i], exp(v)));
    expect(mismatches).toEqual([]);
  });

  it('gives the TypeScript path’s bits: scales, offsets, separations (exp underflow), odd and chunked n', () => {
    let cases = 0;
    for (const scale of [1e-4, 1, 300])
      for (const offset of [0, 1e4])
        for (const separation of [0, 2, 60])
          for (const n of [3, 999, 2000]) {
            expectSameBits(cloud(n, cases, scale, offset, separation), options);
            cases++;
          }
    expect(cases).toBe(54);
  });

  it('gives the same bits with ties (duplicated points), restarts, and every initialisation', () => {
    const ties = new Float64Array(2 * 600);
    for (let i = 0; i < 600; i++) ties.set(i % 3 === 0 ? [1, 1] : [-1, 2], 2 * i);
    expectSameBits(ties, options);
    // Mirror-image clusters and points packed near the mirror line: log densities that differ by less than 2^-28,
    // where exp takes fdlibm's 1 + x shortcut.
    const mirror = new Float64Array(2 * 800);
    for (let i = 0; i < 300; i++) mirror.set([-1 - (i % 7) / 10, i % 5, 1 + (i % 7) / 10, i % 5], 4 * i);
    for (let i = 0; i < 200; i++) mirror.set([(i - 100) * 1e-11, 2], 1200 + 2 * i);
    expectSameBits(mirror, options);
    for (const init of ['kmeans', 'kmeans++', 'random'] as const)
      expectSameBits(cloud(777, 5, 1, 0, 3), { ...options, init, restarts: 3 });
  });

  it('follows the paper’s loop for 300 generations bit for bit', () => {
    let fast = cloud(1000, 1, 1, 0, 0);
    let reference = fast;
    for (let g = 0; g < 300; g++) {
      const a = fitMixtureEm(fast, 2, { ...options, tolerance: 1e-5 }, new Rng(g, 2));
      const b = fitMixtureEm(reference, 2, { ...options, tolerance: 1e-5 }, new Rng(g, 2), 'typescript');
      fast = sampleMixture(prepareMixture(a.mixture), 1000, new Rng(g, 3));
      reference = sampleMixture(prepareMixture(b.mixture), 1000, new Rng(g, 3));
    }
    expect(Array.from(fast)).toEqual(Array.from(reference));
  });
});
