import { describe, expect, it } from 'vitest';
import { deriveRng, Rng } from './rng.js';

/** |estimate − expected| must stay within `z` standard errors. */
function expectWithin(estimate: number, expected: number, standardError: number, z = 5) {
  expect(Math.abs(estimate - expected)).toBeLessThan(z * standardError);
}

describe('Rng (xoshiro128**)', () => {
  it('matches the reference xoshiro128** output for a known state', () => {
    // Reference: the C implementation by Blackman & Vigna, state s = {1, 2, 3, 4}.
    const rng = new Rng(0);
    Object.assign(rng, { s0: 1, s1: 2, s2: 3, s3: 4 });
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('derives the same stream for the same (seed, generation, purpose) and different ones otherwise', () => {
    const draw = (seed: number, g: number, purpose: string) =>
      Array.from({ length: 4 }, () => deriveRng(seed, g, purpose).nextUint32());
    expect(draw(7, 3, 'fit')).toEqual(draw(7, 3, 'fit'));
    const a = deriveRng(7, 3, 'fit').nextUint32();
    expect(deriveRng(7, 4, 'fit').nextUint32()).not.toBe(a);
    expect(deriveRng(8, 3, 'fit').nextUint32()).not.toBe(a);
    expect(deriveRng(7, 3, 'sample').nextUint32()).not.toBe(a);
    expect(deriveRng(2 ** 40 + 7, 3, 'fit').nextUint32()).not.toBe(a); // high seed bits matter
  });

  it('draws uniforms on [0, 1) with the right mean and variance', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expectWithin(s / n, 0.5, Math.sqrt(1 / 12 / n));
    expectWithin(s2 / n - (s / n) ** 2, 1 / 12, Math.sqrt(1 / 180 / n));
  });

  it('draws normals with the moments and tail probabilities of N(0, 1)', () => {
    const rng = new Rng(2);
    const n = 1_000_000;
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    let beyond3 = 0;
    let beyond4 = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x;
      s2 += x * x;
      s4 += x ** 4;
      if (Math.abs(x) > 3) beyond3++;
      if (Math.abs(x) > 4) beyond4++;
    }
    expectWithin(s / n, 0, Math.sqrt(1 / n));
    expectWithin(s2 / n, 1, Math.sqrt(2 / n));
    expectWithin(s4 / n, 3, Math.sqrt(96 / n)); // Var[x⁴] = 105 − 9
    const p3 = 0.0026997960632601866;
    const p4 = 6.334248366623996e-5;
    expectWithin(beyond3 / n, p3, Math.sqrt((p3 * (1 - p3)) / n));
    expectWithin(beyond4 / n, p4, Math.sqrt((p4 * (1 - p4)) / n));
  });

  it('draws integers uniformly (chi-square over 7 cells)', () => {
    const rng = new Rng(3);
    const counts = new Array(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[rng.int(7)]++;
    const chi2 = counts.reduce((acc, c) => acc + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi2).toBeLessThan(22.46); // 99.9% quantile of chi-square with 6 degrees of freedom
  });

  it('samples without replacement: distinct, in range, each item equally likely', () => {
    const rng = new Rng(4);
    const hits = new Array(20).fill(0);
    for (let rep = 0; rep < 20_000; rep++) {
      for (const [n, count] of [
        [20, 3],
        [20, 15],
      ]) {
        const picked = rng.sampleWithoutReplacement(n, count);
        expect(new Set(picked).size).toBe(count);
        if (count === 3) for (const i of picked) hits[i]++;
      }
    }
    const expected = (20_000 * 3) / 20;
    const chi2 = hits.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(43.82); // 99.9% quantile, 19 degrees of freedom
  });
});
