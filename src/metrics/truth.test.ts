import { describe, expect, it } from 'vitest';
import { truthValues } from './truth.js';

describe('truthValues', () => {
  it('gives a fair die its support, entropy and Gini–Simpson, and a mixture its total variance', () => {
    const die = truthValues({ type: 'categorical', probabilities: Float64Array.from({ length: 6 }, () => 1 / 6) });
    expect(die.supportSize).toBe(6);
    expect(die.entropy).toBeCloseTo(Math.log(6), 12);
    expect(die.giniSimpson).toBeCloseTo(5 / 6, 12);
    // ½N(−3, 1) + ½N(3, 4) in 1-D: variance ½(1 + 9) + ½(4 + 9) − 0² = 11.5.
    const mixture = truthValues({
      type: 'mixture',
      weights: Float64Array.of(0.5, 0.5),
      means: Float64Array.of(-3, 3),
      covariances: Float64Array.of(1, 4),
      dim: 1,
    });
    expect(mixture.variance).toBeCloseTo(11.5, 12);
    expect(mixture.mean).toBeCloseTo(0, 12);
    expect(mixture.tailMass).toBe(0.02);
  });
});
