import { describe, expect, it } from 'vitest';
import { type Dataset, labelDataset, REAL, takeAcross } from '../core/dataset.js';
import type { DataPolicy, PolicyContext } from '../core/policy.js';
import { Rng } from '../core/rng.js';
import { type VectorSamples, vectors } from '../core/samples.js';
import { accumulatePolicy } from './accumulate.js';
import { accumulateSubsamplePolicy } from './accumulate-subsample.js';
import { mixPolicy } from './mix.js';
import { replacePolicy } from './replace.js';

/** Items whose value encodes their provenance: real item i is 1000 + i, generation g's item i is g·100 + i. */
function set(origin: number, n: number): Dataset<VectorSamples> {
  const values = Float64Array.from({ length: n }, (_, i) => (origin === REAL ? 1000 : origin * 100) + i);
  return labelDataset(vectors(values, 1), origin);
}

function context(generation: number, realSize = 50, m = 40): PolicyContext<VectorSamples> {
  return {
    generation,
    real: set(REAL, realSize),
    synthetic: Array.from({ length: generation }, (_, g) => set(g, m)),
    history: [],
    samplesPerGeneration: m,
    rng: new Rng(generation),
  };
}

async function build(policy: DataPolicy, ctx: PolicyContext<VectorSamples>): Promise<Dataset<VectorSamples>> {
  return (await policy.build(ctx as PolicyContext)).train as Dataset<VectorSamples>;
}

/** Provenance must describe each item exactly: its value is recomputable from (origin, index). */
function expectProvenanceConsistent(d: Dataset<VectorSamples>) {
  d.origin.forEach((o, i) => {
    expect(d.samples.values[i]).toBe((o === REAL ? 1000 : o * 100) + d.index[i]);
  });
}

describe('data policies', () => {
  it('replace trains on exactly the previous generation', async () => {
    const train = await build(replacePolicy(), context(3));
    expect(Array.from(train.origin)).toEqual(new Array(40).fill(2));
    expectProvenanceConsistent(train);
  });

  it('mix keeps round(f·M) distinct real items and fills the rest from the previous generation', async () => {
    const train = await build(mixPolicy(0.1), context(5));
    expect(train.origin.length).toBe(40);
    expect(train.origin.filter((o) => o === REAL).length).toBe(4);
    expect(train.origin.filter((o) => o === 4).length).toBe(36);
    expect(new Set(Array.from(train.samples.values)).size).toBe(40);
    expectProvenanceConsistent(train);
  });

  it("mix's real part: a fresh draw each generation, or (fixed, the paper's code) the same items every time", async () => {
    const realOf = async (selection: 'fresh' | 'fixed', g: number) => {
      const train = await build(mixPolicy(0.2, selection), context(g));
      expectProvenanceConsistent(train);
      return Array.from(train.index.filter((_, i) => train.origin[i] === REAL)).sort((a, b) => a - b);
    };
    const fixed = await Promise.all([2, 3, 4, 5].map((g) => realOf('fixed', g)));
    for (const f of fixed) expect(f).toEqual(fixed[0]);
    expect(fixed[0]).toHaveLength(8);
    // Not simply the pool's first items: one shuffle of it.
    expect(fixed[0]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const fresh = await Promise.all([2, 3, 4, 5].map((g) => realOf('fresh', g)));
    expect(new Set(fresh.map((f) => f.join())).size).toBe(4);
  });

  it('mix provenance counts: fixed re-draws its k items, fresh overlaps across generations only by chance (k²/N)', async () => {
    // k = 0.2·40 = 8 real items a generation from a pool of N = 400, over 20 generations (190 pairs).
    const N = 400;
    const k = 8;
    const reals = async (selection: 'fresh' | 'fixed') =>
      Promise.all(
        Array.from({ length: 20 }, async (_, g) => {
          const train = await build(mixPolicy(0.2, selection), context(g + 1, N));
          return new Set(Array.from(train.index.filter((_, i) => train.origin[i] === REAL)));
        }),
      );
    const overlaps = (sets: Set<number>[]) => {
      let shared = 0;
      for (let a = 0; a < sets.length; a++)
        for (let b = a + 1; b < sets.length; b++) for (const i of sets[a]) if (sets[b].has(i)) shared++;
      return shared;
    };
    const fixed = await reals('fixed');
    const fresh = await reals('fresh');
    for (const s of [...fixed, ...fresh]) expect(s.size).toBe(k);
    expect(new Set(fixed.flatMap((s) => [...s])).size).toBe(k);
    expect(overlaps(fixed)).toBe(190 * k);
    // Fresh: each pair shares a hypergeometric count, mean k²/N = 0.16, variance ≈ 0.16 (pairs nearly independent).
    const expected = (190 * k * k) / N;
    expect(Math.abs(overlaps(fresh) - expected)).toBeLessThan(4 * Math.sqrt(expected));
    expect(new Set(fresh.flatMap((s) => [...s])).size).toBeGreaterThan(20 * k - 2 * expected);
  });

  it('accumulate holds the real pool plus every synthetic set', async () => {
    const train = await build(accumulatePolicy(), context(4));
    expect(train.origin.length).toBe(50 + 4 * 40);
    for (const g of [REAL, 0, 1, 2, 3]) expect(train.origin.filter((o) => o === g).length).toBe(g === REAL ? 50 : 40);
    expectProvenanceConsistent(train);
  });

  it('accumulate-subsample draws the real pool size uniformly from everything so far', async () => {
    const realCounts: number[] = [];
    for (let rep = 0; rep < 300; rep++) {
      const ctx = { ...context(4), rng: new Rng(100 + rep) };
      const train = await build(accumulateSubsamplePolicy(), ctx);
      expect(train.origin.length).toBe(50);
      expect(new Set(Array.from(train.samples.values)).size).toBe(50);
      expectProvenanceConsistent(train);
      realCounts.push(train.origin.filter((o) => o === REAL).length);
    }
    // Hypergeometric: 50 draws from 210 items of which 50 are real → mean 50·50/210.
    const mean = realCounts.reduce((a, b) => a + b, 0) / realCounts.length;
    const variance = (50 * (50 / 210) * (160 / 210) * (210 - 50)) / (210 - 1);
    expect(Math.abs(mean - (50 * 50) / 210)).toBeLessThan(5 * Math.sqrt(variance / 300));
  });

  it('takeAcross gathers from the virtual concatenation', () => {
    const parts = [set(REAL, 3), set(0, 2), set(1, 4)];
    const picked = takeAcross(parts, [0, 3, 4, 8]);
    expect(Array.from(picked.samples.values)).toEqual([1000, 0, 1, 103]);
    expect(() => takeAcross(parts, [9])).toThrow(/outside/);
  });
});
