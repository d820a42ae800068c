/**
 * The Gaussian chain against its closed form. With M samples per generation and the MLE, generation g's
 * variance is σ² · Π_{i=0..g} χ²_{M−1,i}/M (generation 0 fits M real draws), so
 *   E[σ²_g] = ((M−1)/M)^(g+1),  E[σ⁴_g] = ((M−1)(M+1)/M²)^(g+1),
 * and log σ²_g is a random walk with step mean ψ((M−1)/2) + log(2/M) and step variance ψ'((M−1)/2).
 * The unbiased estimator keeps E[σ²_g] = σ² (a martingale) while log σ²_g still drifts to −∞.
 */
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../experiments/run.js';
import { digamma, mean, sampleVariance, trigamma } from '../../test-helpers/special.js';
import { fitGaussian } from './model.js';

const M = 10;
const G = 30;
const RUNS = 400;

async function varianceChains(estimator: 'mle' | 'unbiased'): Promise<number[][]> {
  const chains: number[][] = [];
  for (let seed = 0; seed < RUNS; seed++) {
    const { metrics } = await runExperiment(
      {
        seed,
        generations: G,
        samplesPerGeneration: M,
        heldOutSize: 50,
        family: { type: 'gaussian', estimator, slicedProjections: 1 },
        real: { type: 'gaussian', mean: [0], covariance: [[1]] },
      },
      { out: null },
    );
    chains.push(metrics.map((m) => m.variance as number));
  }
  return chains;
}

describe('gaussian family', () => {
  it('fits the MLE and unbiased covariance of a hand-computed sample', () => {
    const x = Float64Array.from([1, 2, 3, 5, 0, 1]); // three 2-D points
    const mle = fitGaussian(x, 2, 'mle');
    expect(Array.from(mle.mean)).toEqual([4 / 3, 8 / 3]);
    // Deviations: (−1/3, −2/3), (5/3, 7/3), (−4/3, −5/3)
    const sxx = (1 + 25 + 16) / 9;
    const sxy = (2 + 35 + 20) / 9;
    const syy = (4 + 49 + 25) / 9;
    const expected = [sxx / 3, sxy / 3, sxy / 3, syy / 3];
    mle.covariance.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 12);
    });
    const unbiased = fitGaussian(x, 2, 'unbiased');
    unbiased.covariance.forEach((v, i) => {
      expect(v).toBeCloseTo((expected[i] * 3) / 2, 12);
    });
  });

  it('MLE variance shrinks as E[σ²_g] = ((M−1)/M)^(g+1) (within 4.5 standard errors)', async () => {
    const chains = await varianceChains('mle');
    for (const g of [0, 2, 5, 10]) {
      const n = g + 1;
      const expected = ((M - 1) / M) ** n;
      const secondMoment = (((M - 1) * (M + 1)) / (M * M)) ** n;
      const se = Math.sqrt((secondMoment - expected ** 2) / RUNS);
      expect(Math.abs(mean(chains.map((c) => c[g])) - expected)).toBeLessThan(4.5 * se);
    }
  });

  it('MLE log-variance is a random walk with the χ² step mean and variance', async () => {
    const chains = await varianceChains('mle');
    const stepMean = digamma((M - 1) / 2) + Math.log(2 / M);
    const stepVariance = trigamma((M - 1) / 2);
    for (const g of [4, 29]) {
      const logs = chains.map((c) => Math.log(c[g]));
      const n = g + 1;
      const meanSe = Math.sqrt((n * stepVariance) / RUNS);
      expect(Math.abs(mean(logs) - n * stepMean)).toBeLessThan(4.5 * meanSe);
      // The sum of n log-χ² steps is close to normal; its sample variance has SE ≈ var·√(2/(R−1)).
      const varSe = n * stepVariance * Math.sqrt(2 / (RUNS - 1));
      expect(Math.abs(sampleVariance(logs) - n * stepVariance)).toBeLessThan(4.5 * varSe);
    }
  });

  it('the unbiased estimator keeps E[σ²_g] = 1 while its log still drifts down', async () => {
    const chains = await varianceChains('unbiased');
    const g = 10;
    const n = g + 1;
    const secondMoment = ((M + 1) / (M - 1)) ** n;
    const se = Math.sqrt((secondMoment - 1) / RUNS);
    expect(Math.abs(mean(chains.map((c) => c[g])) - 1)).toBeLessThan(4.5 * se);
    const stepMean = digamma((M - 1) / 2) + Math.log(2 / (M - 1));
    const logs = chains.map((c) => Math.log(c[g]));
    expect(Math.abs(mean(logs) - n * stepMean)).toBeLessThan(4.5 * Math.sqrt((n * trigamma((M - 1) / 2)) / RUNS));
    expect(stepMean).toBeLessThan(0);
  });
});
