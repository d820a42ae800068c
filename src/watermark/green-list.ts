/**
 * The green list of Kirchenbauer et al. 2023 ("A Watermark for Large Language Models"): a key and the previous
 * `contextWidth` tokens pick, for every vocabulary entry, whether it is green; a watermarking sampler adds δ to
 * the logits of green tokens, and a detector counts them.
 *
 * Instead of a seeded permutation of the whole vocabulary (the paper's construction, γ|V| green exactly), each
 * (context, token) pair is hashed on its own and is green when the hash falls below γ·2³². Under the null
 * hypothesis each token is then green with probability γ independently, so the detector's z-test is unchanged,
 * and a sampler pays one multiply-and-mix per candidate token with no vocabulary-sized allocation per step.
 */

import { mix32 as mix } from '../core/rng.js';

export interface WatermarkOptions {
  /** The secret key. */
  readonly key: number;
  /** Share of the vocabulary that is green. */
  readonly gamma: number;
  /** Logit bias the sampler adds to green tokens (unused by the detector). */
  readonly delta: number;
  /** Previous tokens the green list depends on (the paper's h; 1 in its experiments). */
  readonly contextWidth: number;
}

/** The defaults its authors recommend: γ 0.25, δ 2.0, one token of context; the key is the paper's hash key. */
export const WATERMARK_DEFAULTS: WatermarkOptions = { key: 15485863, gamma: 0.25, delta: 2, contextWidth: 1 };

export class GreenList {
  readonly options: WatermarkOptions;
  private readonly threshold: number;

  constructor(options: Partial<WatermarkOptions> = {}) {
    this.options = { ...WATERMARK_DEFAULTS, ...options };
    const { gamma, contextWidth, key } = this.options;
    if (!(gamma > 0 && gamma < 1)) throw new RangeError(`watermark: gamma must be in (0, 1), got ${gamma}`);
    if (!(Number.isInteger(contextWidth) && contextWidth >= 1))
      throw new RangeError(`watermark: contextWidth must be a whole number ≥ 1, got ${contextWidth}`);
    if (!Number.isInteger(key)) throw new RangeError(`watermark: key must be an integer, got ${key}`);
    this.threshold = Math.floor(gamma * 2 ** 32);
  }

  /** The seed of the green list that follows tokens[end − contextWidth .. end): compute once per position. */
  seed(tokens: ArrayLike<number>, end: number): number {
    let h = mix(this.options.key ^ 0x9e3779b9);
    for (let i = end - this.options.contextWidth; i < end; i++) h = mix((h ^ tokens[i]) + 0x9e3779b9);
    return h;
  }

  /** Whether `token` is green after the context whose seed is `seed`: one mix per call. */
  isGreen(seed: number, token: number): boolean {
    return mix(seed ^ Math.imul(token + 1, 0x27d4eb2d)) < this.threshold;
  }
}
