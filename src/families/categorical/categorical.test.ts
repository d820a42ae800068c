/**
 * The categorical chain: an outcome whose count is 0 gets probability 0 and can never be drawn again
 * (absorption), and the time to the first loss matches an independent Monte-Carlo simulation.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { runExperiment } from '../../experiments/run.js';
import { mean, sampleVariance } from '../../test-helpers/special.js';
import { fitCategorical, sampleCategorical } from './model.js';

const K = 6;
const M = 20;
const RUNS = 600;

/** The simplest possible simulation, written independently of the family: multinomial counts by inversion. */
function firstLossByHand(rng: Rng, maxGenerations: number): number {
  let p = new Array(K).fill(1 / K);
  for (let g = 0; g < maxGenerations; g++) {
    const counts = new Array(K).fill(0);
    for (let i = 0; i < M; i++) {
      let u = rng.uniform();
      let k = 0;
      while (k < K - 1 && u >= p[k]) u -= p[k++];
      counts[k]++;
    }
    p = counts.map((c) => c / M);
    if (p.some((q) => q === 0)) return g;
  }
  return maxGenerations;
}

describe('categorical family', () => {
  it('fits frequencies and never samples an outcome of probability 0', () => {
    const model = fitCategorical(Int32Array.from([0, 0, 2, 2, 2, 3]), 5);
    expect(Array.from(model.probabilities)).toEqual([2 / 6, 0, 3 / 6, 1 / 6, 0]);
    const draws = sampleCategorical(model, 60_000, new Rng(9));
    const counts = [0, 0, 0, 0, 0];
    for (const d of draws) counts[d]++;
    expect(counts[1]).toBe(0);
    expect(counts[4]).toBe(0);
    expect(Math.abs(counts[2] / 60_000 - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 60_000));
  });

  it('absorbs: a lost outcome never returns; time to first loss matches Monte Carlo', async () => {
    const lab: number[] = [];
    for (let seed = 0; seed < RUNS; seed++) {
      const { metrics } = await runExperiment(
        {
          seed,
          generations: 40,
          samplesPerGeneration: M,
          heldOutSize: 10,
          family: { type: 'categorical' },
          real: { type: 'categorical', probabilities: new Array(K).fill(1 / K) },
        },
        { out: null },
      );
      const probabilities = metrics.map((m) => m.probabilities as number[]);
      for (let g = 1; g < probabilities.length; g++) {
        for (let k = 0; k < K; k++) if (probabilities[g - 1][k] === 0) expect(probabilities[g][k]).toBe(0);
        expect(metrics[g].supportSize as number).toBeLessThanOrEqual(metrics[g - 1].supportSize as number);
      }
      const first = metrics.findIndex((m) => (m.supportSize as number) < K);
      lab.push(first === -1 ? 40 : first);
    }
    const rng = new Rng(12345);
    const byHand = Array.from({ length: 4 * RUNS }, () => firstLossByHand(rng, 40));
    const se = Math.sqrt(sampleVariance(lab) / lab.length + sampleVariance(byHand) / byHand.length);
    expect(Math.abs(mean(lab) - mean(byHand))).toBeLessThan(4.5 * se);
    // Sanity: with 20 rolls of a fair die the first loss typically comes within a few generations.
    expect(mean(lab)).toBeGreaterThan(0.5);
    expect(mean(lab)).toBeLessThan(10);
  });
});
