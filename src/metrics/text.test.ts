import { describe, expect, it } from 'vitest';
import { sequences } from '../core/samples.js';
import { distinctN, histogram, quantiles, rareTypes, shareProduced, tokenCounts, typesPresent } from './text.js';

// Two sequences: "0 1 0 1" and "2 0 1".
const s = sequences(Int32Array.of(0, 1, 0, 1, 2, 0, 1), Int32Array.of(0, 4, 7), 5);

describe('text metrics', () => {
  it('count types, distinct n-grams inside sequences, and the rare types still produced', () => {
    expect(typesPresent(s)).toBe(3);
    expect(distinctN(s, 1)).toBeCloseTo(3 / 7, 14);
    // bigrams 01 10 01 | 20 01: distinct {01, 10, 20} of 5 (none crosses the sequence boundary)
    expect(distinctN(s, 2)).toBeCloseTo(3 / 5, 14);
    expect(distinctN(s, 3)).toBeCloseTo(3 / 3, 14);
    // The same on a vocabulary too large to pack trigram keys into a double.
    const wide = sequences(s.tokens, s.offsets, 1_000_000);
    expect(distinctN(wide, 3)).toBeCloseTo(1, 14);
    expect(distinctN(wide, 2)).toBeCloseTo(3 / 5, 14);
    const counts = tokenCounts(s);
    expect(Array.from(counts)).toEqual([3, 3, 1, 0, 0]);
    expect(Array.from(rareTypes(counts, 0.5))).toEqual([2, 0]); // 3 types present: the rarest ceil(1.5) = 2
    expect(shareProduced(sequences(Int32Array.of(0, 0), Int32Array.of(0, 2), 5), Int32Array.of(2, 0))).toBe(0.5);
  });

  it('computes type-7 quantiles and a histogram with clamped end bins', () => {
    expect(quantiles(Float64Array.of(4, 1, 3, 2), [0, 0.5, 1, 0.25])).toEqual([1, 2.5, 4, 1.75]);
    expect(histogram(Float64Array.of(0.5, 1, 1.5, 2, 9), [1, 2, 4])).toEqual([3, 2]);
  });
});
