import { describe, expect, it } from 'vitest';
import { resolveConfig, runExperiment } from '../index.js';
import { mixMoments, mixTrajectory } from './mix.js';

describe('mix with fresh real data: the exact moment recursion', () => {
  it('all real: one MLE fit of M standard normals, E σ² = (M−1)/M, E μ² = 1/M, forgotten in one step', () => {
    const m = mixMoments(50, 50);
    expect(m.variance).toBeCloseTo(49 / 50, 12);
    expect(m.meanSquare).toBeCloseTo(1 / 50, 12);
    expect(m.contraction).toBeCloseTo(0, 12);
  });

  it('no real item: the variance goes to 0 (unbounded error); one item bounds it', () => {
    expect(mixMoments(100, 0).variance).toBe(0);
    expect(mixMoments(100, 1).variance).toBeGreaterThan(0.6);
  });

  it('E[σ² + μ²] stays 1 and the contraction is 1 − k/M for every k', () => {
    for (const k of [1, 2, 5, 17, 60])
      expect(mixMoments(100, k).variance + mixMoments(100, k).meanSquare).toBeCloseTo(1, 12);
    for (const k of [1, 10, 50]) expect(mixMoments(100, k).contraction).toBeCloseTo(1 - k / 100, 12);
    const path = mixTrajectory(100, 10, 400);
    expect(path[399].variance).toBeCloseTo(mixMoments(100, 10).variance, 9);
  });

  it("the lab's own loop (gaussian family, mix policy, fresh pool) follows the expected trajectory", async () => {
    // M = 20, k = 2, 25 generations, 200 seeds: E σ² at generation 24 within 3.5 standard errors of theory.
    const finals: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const config = resolveConfig('gaussian', {
        seed,
        generations: 25,
        samplesPerGeneration: 20,
        realSize: 2000,
        heldOutSize: 100,
        snapshotGenerations: [],
        policy: { type: 'mix', realFraction: 0.1 },
      });
      const { metrics } = await runExperiment(config, { out: null });
      finals.push(metrics[24].variance as number);
    }
    // Generation 0 fits 2,000 real items: it starts at (σ², μ²) ≈ (1, 0), as the trajectory does.
    const theory = mixTrajectory(20, 2, 25)[24].variance;
    const mean = finals.reduce((a, b) => a + b, 0) / finals.length;
    const sd = Math.sqrt(finals.reduce((a, x) => a + (x - mean) ** 2, 0) / (finals.length - 1));
    expect(Math.abs(mean - theory)).toBeLessThan(3.5 * (sd / Math.sqrt(finals.length)));
    // And not the replace trajectory ((M−1)/M)^24 = 0.29: the real items hold it up.
    expect(mean).toBeGreaterThan(0.5);
  });
});
