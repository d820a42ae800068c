/**
 * Selections on verifier scores (higher = more plausible). Each returns the indices of the items kept, in
 * increasing order so each source keeps its items' order; ranks break ties by index, so a selection is a pure
 * function of the scores.
 */

import type { Rng } from '../../core/rng.js';
import { exp } from '../../numeric/libm.js';

/** Indices sorted by ascending score; NaN counts as the least plausible. */
export function rankAscending(scores: Float64Array): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const key = (i: number) => (Number.isNaN(scores[i]) ? Number.NEGATIVE_INFINITY : scores[i]);
  return order.sort((a, b) => key(a) - key(b) || a - b);
}

export interface BandSelection {
  readonly kept: Int32Array;
  /** The lowest and highest score kept (null when nothing is kept or the score is infinite). */
  readonly lowerScore: number | null;
  readonly upperScore: number | null;
}

/**
 * Drops the round(dropUnlikely·n) lowest-scoring items and the round(dropLikely·n) highest-scoring ones. The top
 * fraction f is the band with dropUnlikely = 1 − f and dropLikely = 0.
 */
export function selectBand(scores: Float64Array, dropUnlikely: number, dropLikely: number): BandSelection {
  const n = scores.length;
  const order = rankAscending(scores);
  const low = Math.min(n, Math.round(dropUnlikely * n));
  const high = Math.max(low, n - Math.round(dropLikely * n));
  const kept = order.slice(low, high).sort();
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    kept,
    lowerScore: high > low ? finite(scores[order[low]]) : null,
    upperScore: high > low ? finite(scores[order[high - 1]]) : null,
  };
}

export interface Resampling {
  readonly kept: Int32Array;
  /** Kish's effective sample size of the weights over n: 1 when they are equal, → 1/n when one dominates. */
  readonly effectiveShare: number;
}

/**
 * Sampling-importance-resampling: `count` indices drawn with replacement in proportion to exp(logWeights) by
 * systematic resampling (one uniform, low variance). Items with a weight of NaN or −∞ are never drawn; if no
 * item has a finite positive weight the draw is uniform.
 */
export function importanceResample(logWeights: Float64Array, count: number, rng: Rng): Resampling {
  const n = logWeights.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (logWeights[i] > max) max = logWeights[i];
  const weights = new Float64Array(n);
  if (max === Number.POSITIVE_INFINITY) {
    for (let i = 0; i < n; i++) weights[i] = logWeights[i] === max ? 1 : 0;
  } else if (max === Number.NEGATIVE_INFINITY || Number.isNaN(max)) {
    weights.fill(1);
  } else {
    for (let i = 0; i < n; i++) weights[i] = Number.isNaN(logWeights[i]) ? 0 : exp(logWeights[i] - max);
  }
  let total = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    total += weights[i];
    squares += weights[i] * weights[i];
  }
  const kept = new Int32Array(count);
  const step = total / count;
  let at = rng.uniform() * step;
  let cumulative = weights[0];
  let j = 0;
  for (let k = 0; k < count; k++, at += step) {
    while (cumulative <= at && j < n - 1) cumulative += weights[++j];
    kept[k] = j;
  }
  return { kept, effectiveShare: (total * total) / squares / n };
}
