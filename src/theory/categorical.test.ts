/**
 * Wright–Fisher closed forms beyond the mean: the exact step variance of Gini–Simpson and the per-run check built
 * on it, the branching limit of an outcome's loss, and the tail rank k* (Dohmatob et al. 2024), each against the
 * lab's own runs with fixed seeds.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { zipfProbabilities } from '../data/known-real.js';
import { resolveConfig, runExperiment } from '../experiments/run.js';
import {
  branchingLossProbabilities,
  giniSimpson,
  giniSimpsonCheck,
  giniSimpsonStep,
  measuredTailRank,
  survivalProbabilities,
  tailRank,
} from './categorical.js';

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function probabilityRuns(preset: string, overrides: Record<string, unknown>, seeds: number) {
  const out: number[][][] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const config = resolveConfig(preset, {
      heldOutSize: 1,
      ...overrides,
      family: { reportProbabilitiesUpTo: 1000 },
      seed,
    });
    const { metrics } = await runExperiment(config, { out: null });
    out.push(metrics.map((m) => m.probabilities as number[]));
  }
  return out;
}

describe('Gini–Simpson of one refit', () => {
  it('has the exact mean and variance: a hand case (m = 2, a fair coin) and 20,000 multinomial draws', () => {
    // Counts (2,0), (1,1), (0,2) w.p. ¼, ½, ¼: Gini–Simpson 0, ½, 0, so mean ¼ and variance 1/16.
    expect(giniSimpsonStep([0.5, 0.5], 2).mean).toBeCloseTo(0.25, 15);
    expect(giniSimpsonStep([0.5, 0.5], 2).variance).toBeCloseTo(1 / 16, 15);
    const q = [0.5, 0.3, 0.15, 0.05];
    const m = 20;
    const rng = new Rng(11);
    const values: number[] = [];
    for (let t = 0; t < 20_000; t++) {
      const c = [0, 0, 0, 0];
      for (let i = 0; i < m; i++) {
        let u = rng.uniform();
        let k = 0;
        while (k < 3 && u >= q[k]) u -= q[k++];
        c[k]++;
      }
      values.push(giniSimpson(c.map((x) => x / m)));
    }
    const { mean, variance } = giniSimpsonStep(q, m);
    const sampleMean = meanOf(values);
    const sampleVar = values.reduce((a, x) => a + (x - sampleMean) ** 2, 0) / (values.length - 1);
    expect(Math.abs(sampleMean - mean)).toBeLessThan(3.5 * Math.sqrt(variance / values.length));
    // The variance's own SE: √((μ₄ − σ⁴)/N) ≤ √(2/N)·σ² · a few; 5% of it is far outside a wrong formula's reach.
    expect(Math.abs(sampleVar / variance - 1)).toBeLessThan(0.05);
  });

  it('per run: 40 honest dice at M = 100 sit in the band; an over-confident fit (counts^1.3) leaves it', async () => {
    const p0 = Array(6).fill(1 / 6);
    const runs = await probabilityRuns('dice', { generations: 200 }, 40);
    const zs = runs.map((r) => giniSimpsonCheck(r, p0, 100)?.z as number);
    expect(zs.every((z) => Math.abs(z) < 3.5)).toBe(true);
    expect(Math.abs(meanOf(zs))).toBeLessThan(3.5 / Math.sqrt(40));
    // Broken: every refit sharpens its frequencies (pᵢ^1.3, renormalised) and the next samples from that.
    const sharpen = (q: number[]) => {
      const w = q.map((x) => x ** 1.3);
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / s);
    };
    const rng = new Rng(3);
    let broken = 0;
    for (let seed = 0; seed < 10; seed++) {
      const path: number[][] = [];
      let q = p0;
      for (let g = 0; g < 200; g++) {
        const c = Array(6).fill(0);
        for (let i = 0; i < 100; i++) {
          let u = rng.uniform();
          let k = 0;
          while (k < 5 && u >= q[k]) u -= q[k++];
          c[k]++;
        }
        q = sharpen(c.map((x) => x / 100));
        path.push(q);
      }
      if (!giniSimpsonCheck(path, p0, 100)?.inBand) broken++;
    }
    expect(broken).toBe(10);
  });
});

describe('an outcome lost, and the tail rank k*', () => {
  it('the branching limit matches the exact chain for rare outcomes at M = 1,000 (error under 0.4·p: it is O(p))', () => {
    for (const p of [0.0005, 0.002, 0.01]) {
      const exact = survivalProbabilities(p, 1000, 60);
      const branching = branchingLossProbabilities(p, 1000, 60);
      for (let g = 0; g < 60; g++)
        expect(Math.abs(1 - exact[g] - branching[g]), `p ${p}, gen ${g}`).toBeLessThan(0.4 * p);
    }
    // Generation 0 loses it with the chance that R draws miss it, e^{−Rp} in the limit.
    expect(branchingLossProbabilities(0.01, 100, 1, 50)[0]).toBeCloseTo(Math.exp(-0.5), 15);
  });

  it('k* of Zipf(200, 1.1) at M = 500 matches 300 runs: each rank’s survival within 3.5 SE, the measured rank at ½', async () => {
    const p0 = Array.from(zipfProbabilities(200, 1.1));
    const M = 500;
    const G = 30;
    const runs = await probabilityRuns(
      'categorical',
      { generations: G, samplesPerGeneration: M, real: { type: 'zipf', outcomes: 200, exponent: 1.1 } },
      300,
    );
    const theory = tailRank(p0, M, G);
    expect(theory.exact).toBe(false); // 200 × 30 × 500² steps: the branching limit
    for (const g of [5, G - 1]) {
      const present = p0.map((_, k) => meanOf(runs.map((r) => (r[g][k] > 0 ? 1 : 0))));
      const k = theory.kStar[g];
      expect(k).toBeGreaterThan(1);
      expect(k).toBeLessThanOrEqual(200);
      const loss = branchingLossProbabilities(p0[k - 1], M, G);
      // Each rank around k*: the share of runs holding it against theory's survival.
      for (let j = Math.max(1, k - 15); j <= Math.min(200, k + 15); j++) {
        const s = 1 - branchingLossProbabilities(p0[j - 1], M, G)[g];
        const se = Math.sqrt((s * (1 - s)) / runs.length);
        expect(Math.abs(present[j - 1] - s), `gen ${g}, rank ${j}`).toBeLessThan(3.5 * se + 1e-9);
      }
      // The measured rank from the pooled shares: theory's survival there is ½ within 3.5 SE of a share.
      const measured = measuredTailRank(present);
      const survivalAt = 1 - branchingLossProbabilities(p0[measured - 1], M, G)[g];
      const survivalBefore = 1 - branchingLossProbabilities(p0[measured - 2], M, G)[g];
      const se = 0.5 / Math.sqrt(runs.length);
      expect(survivalAt, `gen ${g}`).toBeLessThan(0.5 + 3.5 * se);
      expect(survivalBefore, `gen ${g}`).toBeGreaterThan(0.5 - 3.5 * se);
      // Each run's own measured rank lies in theory's zone (survival 97.5% → 2.5%).
      const perRun = runs.map((r) => measuredTailRank(r[g].map((q) => (q > 0 ? 1 : 0))));
      expect(perRun.filter((r) => r < theory.lo[g] || r > theory.hi[g]).length, `gen ${g}`).toBe(0);
      expect(theory.lo[g]).toBeLessThanOrEqual(k);
      expect(theory.hi[g]).toBeGreaterThanOrEqual(k);
      expect(loss[g]).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('the measured rank minimises the misclassified outcomes (hand cases)', () => {
    expect(measuredTailRank([1, 1, 1, 0, 0])).toBe(4);
    expect(measuredTailRank([0, 0, 0])).toBe(1);
    expect(measuredTailRank([1, 1])).toBe(3);
    // 1, 1, 0, 1, 0, 0: threshold after rank 2 or after rank 4 both misclassify one; the smaller wins.
    expect(measuredTailRank([1, 1, 0, 1, 0, 0])).toBe(3);
  });
});

describe('a categorical run against theory', () => {
  it('records the Gini–Simpson z in summary.json under replace, and nothing under accumulate', async () => {
    const honest = await runExperiment(resolveConfig('dice', { generations: 200, heldOutSize: 1 }), { out: null });
    expect(honest.summary.theory.map((c) => c.name)).toEqual([
      'Gini–Simpson steps against Wright–Fisher over 200 refits (Σ deviation)',
    ]);
    expect(honest.summary.theory[0].inBand).toBe(true);
    const acc = await runExperiment(
      resolveConfig('dice', { generations: 5, heldOutSize: 1, policy: { type: 'accumulate' } }),
      { out: null },
    );
    expect(acc.summary.theory).toEqual([]);
  });
});
