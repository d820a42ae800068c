/**
 * The watermark detector (Kirchenbauer et al. 2023, §4): count the green tokens among the T tokens that have a
 * full context and compare with γT, the count expected of text written without the key:
 *
 *   z = (|s|_G − γT) / √(T γ (1 − γ)).
 *
 * With γ = 0.25 and T = 200, 75 green tokens give z ≈ 4.08 and 74 give 3.92: the default threshold z ≥ 4 lies
 * between them. A sequence shorter than contextWidth + 1 has nothing to score and gets z = 0.
 */
import type { SequenceSamples } from '../core/samples.js';
import type { GreenList } from './green-list.js';

export interface Detection {
  /** Green tokens among those scored. */
  readonly green: number;
  /** Tokens scored: those with contextWidth tokens before them. */
  readonly scored: number;
  readonly z: number;
}

/** The one-proportion z statistic for `green` successes in `scored` trials of probability γ. */
export function zScore(green: number, scored: number, gamma: number): number {
  if (scored === 0) return 0;
  return (green - gamma * scored) / Math.sqrt(scored * gamma * (1 - gamma));
}

/** Detection on tokens[start .. end). */
export function detect(list: GreenList, tokens: ArrayLike<number>, start = 0, end = tokens.length): Detection {
  const width = list.options.contextWidth;
  let green = 0;
  let scored = 0;
  for (let i = start + width; i < end; i++) {
    if (list.isGreen(list.seed(tokens, i), tokens[i])) green++;
    scored++;
  }
  return { green, scored, z: zScore(green, scored, list.options.gamma) };
}

/** The z-score of every sequence of a sample set. */
export function detectSequences(list: GreenList, samples: SequenceSamples): Float64Array {
  const n = samples.offsets.length - 1;
  const out = new Float64Array(n);
  for (let s = 0; s < n; s++) out[s] = detect(list, samples.tokens, samples.offsets[s], samples.offsets[s + 1]).z;
  return out;
}
