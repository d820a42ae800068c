import { describe, expect, it } from 'vitest';
import { strongCollapse } from '../experiments/remedies/strong-collapse.js';
import { frequencyErrorSquared, meanErrorSquared, meanErrorSquaredSd, mixedCounts } from './strong-collapse.js';

describe('strong collapse closed forms', () => {
  it('the mean: (nₛ/n·b)² + (n_r σ² + nₛ σₛ²)/n², by hand', () => {
    const law = { bias: 2, realVariance: 1, generatorVariance: 0.25 };
    // (10/100 · 2)² + (90 + 10·0.25)/100² = 0.04 + 0.00925
    expect(meanErrorSquared({ nReal: 90, nSynthetic: 10 }, law)).toBeCloseTo(0.04925, 12);
    // m = 0.2, v = 0.00925: sd of the square √(2v² + 4m²v)
    expect(meanErrorSquaredSd({ nReal: 90, nSynthetic: 10 }, law)).toBeCloseTo(
      Math.sqrt(2 * 0.00925 ** 2 + 4 * 0.04 * 0.00925),
      12,
    );
  });

  it('the frequencies: matches an exhaustive enumeration (3 fair-coin draws and 1 draw of a point mass)', () => {
    // q̂₀ = (X + 1)/4, X ~ Binomial(3, ½); error² = 2 (q̂₀ − ½)².
    let expected = 0;
    for (let x = 0; x <= 3; x++) expected += ([1, 3, 3, 1][x] / 8) * 2 * ((x + 1) / 4 - 0.5) ** 2;
    expect(frequencyErrorSquared({ nReal: 3, nSynthetic: 1 }, [0.5, 0.5], [1, 0])).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.125, 12);
  });

  it('counts: round(p·n) synthetic, the rest real', () => {
    expect(mixedCounts(1000, 0.001)).toEqual({ nReal: 999, nSynthetic: 1 });
    expect(mixedCounts(100, 0.001)).toEqual({ nReal: 100, nSynthetic: 0 });
  });

  it("the family estimators' measured errors agree with the closed forms (|z| < 3.5) and floor at (p·b)²", () => {
    const cells = strongCollapse({ baseSize: 200, multipliers: [1, 100], fractions: [0, 0.01], seeds: 60 });
    for (const c of cells) expect(Math.abs((c.error2 - c.theory) / c.se)).toBeLessThan(3.5);
    const at = (family: string, p: number, n: number) =>
      cells.find((c) => c.family === family && c.fraction === p && c.size === n)?.error2 as number;
    // At n = 20,000 the clean mean's error is 5e-5; 1% from N(2, ¼) holds it near (0.01·2)² = 4e-4.
    expect(at('gaussian', 0.01, 20_000)).toBeGreaterThan(5 * at('gaussian', 0, 20_000));
    // Zipf: the floor 0.01²·‖g − π‖² = 6.5e-5 over a clean 4.6e-5, so 2.4× in all.
    expect(at('categorical', 0.01, 20_000)).toBeGreaterThan(1.8 * at('categorical', 0, 20_000));
  });
});
