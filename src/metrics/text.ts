/**
 * Measures of generated text that need no model: how many word types survive, whether the real data's rare
 * types are still produced (they go first in collapse), and distinct-n (Li et al. 2016), the share of n-grams
 * that are distinct.
 */
import type { SequenceSamples } from '../core/samples.js';

/** Number of distinct token ids in the set. */
export function typesPresent(s: SequenceSamples): number {
  const seen = new Uint8Array(s.vocabSize);
  let types = 0;
  const end = s.offsets[s.offsets.length - 1];
  for (let i = s.offsets[0]; i < end; i++) {
    if (!seen[s.tokens[i]]) {
      seen[s.tokens[i]] = 1;
      types++;
    }
  }
  return types;
}

/** Frequency of each token id over the set. */
export function tokenCounts(s: SequenceSamples): Int32Array {
  const counts = new Int32Array(s.vocabSize);
  const end = s.offsets[s.offsets.length - 1];
  for (let i = s.offsets[0]; i < end; i++) counts[s.tokens[i]]++;
  return counts;
}

/** The rarest `fraction` of the types that occur (by count, ties by id): the real data's long tail. */
export function rareTypes(counts: Int32Array, fraction: number): Int32Array {
  const present: number[] = [];
  for (let w = 0; w < counts.length; w++) if (counts[w] > 0) present.push(w);
  present.sort((a, b) => counts[a] - counts[b] || a - b);
  return Int32Array.from(present.slice(0, Math.ceil(fraction * present.length)));
}

/** Share of `types` that occur at least once in the set. */
export function shareProduced(s: SequenceSamples, types: Int32Array): number {
  if (types.length === 0) return 0;
  const counts = tokenCounts(s);
  let kept = 0;
  for (const w of types) if (counts[w] > 0) kept++;
  return kept / types.length;
}

/** distinct-n: distinct n-grams (inside one sequence) over all n-grams; 0 when the set has none. */
export function distinctN(s: SequenceSamples, n: number): number {
  const V = s.vocabSize;
  let total = 0;
  for (let q = 0; q + 1 < s.offsets.length; q++) total += Math.max(0, s.offsets[q + 1] - s.offsets[q] - n + 1);
  if (total === 0) return 0;
  if (V ** n > Number.MAX_SAFE_INTEGER) {
    // Keys would not fit a double exactly: a slower set of joined ids.
    const seen = new Set<string>();
    for (let q = 0; q + 1 < s.offsets.length; q++) {
      for (let i = s.offsets[q]; i + n <= s.offsets[q + 1]; i++) seen.add(s.tokens.subarray(i, i + n).join(' '));
    }
    return seen.size / total;
  }
  const keys = new Float64Array(total);
  let k = 0;
  for (let q = 0; q + 1 < s.offsets.length; q++) {
    for (let i = s.offsets[q]; i + n <= s.offsets[q + 1]; i++) {
      let key = 0;
      for (let j = 0; j < n; j++) key = key * V + s.tokens[i + j];
      keys[k++] = key;
    }
  }
  keys.sort();
  let distinct = 1;
  for (let i = 1; i < total; i++) if (keys[i] !== keys[i - 1]) distinct++;
  return distinct / total;
}

/** Quantiles of a sample by linear interpolation between order statistics (type 7, as numpy's default). */
export function quantiles(values: Float64Array, probabilities: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return probabilities.map(() => Number.NaN);
  return probabilities.map((p) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(n - 1, lo + 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  });
}

/** Counts of `values` in bins [edges[i], edges[i+1]); values below the first or above the last edge go to the end bins. */
export function histogram(values: Float64Array, edges: readonly number[]): number[] {
  const bins = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    let lo = 0;
    let hi = edges.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid] <= v) lo = mid;
      else hi = mid - 1;
    }
    bins[lo]++;
  }
  return bins;
}
