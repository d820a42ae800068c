/**
 * The real distribution a run starts from: the real training pool (generation 0's data, and the source of the
 * real share that policies such as `mix` keep), held-out real data for evaluation, and, when it is known in
 * closed form (a preset's distribution), the truth itself for exact metrics.
 */
import type { Dataset } from './dataset.js';
import type { Samples } from './samples.js';

export interface RealData<S extends Samples = Samples> {
  /** The real training pool, every item labelled REAL. */
  readonly pool: Dataset<S>;
  /** Held-out real data, never trained on. */
  readonly heldOut: S;
  /** The distribution in closed form where a preset defines one; families narrow it by `type`. */
  readonly truth?: Truth;
  /** One line for people: what the real data is. */
  readonly description: string;
  /**
   * A named data set's files, for families that need more of it than the pool (the VAE's digit classifier
   * trains on all of MNIST's training images): the name and the folder the run was given, if any.
   */
  readonly dataset?: { readonly name: string; readonly dataDir?: string };
  /** For text: the tokenizer that made the token ids, so families and reports can show text. */
  readonly text?: TextCodec;
}

/** Token ids back to text; `toJSON` is the tokenizer itself, to save with a run. */
export interface TextCodec {
  decode(tokens: ArrayLike<number>): string;
  /** Other text as the same token ids (a corpus to pretrain on, say). */
  encode?(text: string): Int32Array;
  toJSON(): unknown;
}

/** A known distribution. Families check `type` and use the parameters they understand. */
export type Truth =
  | {
      readonly type: 'mixture';
      readonly weights: Float64Array;
      readonly means: Float64Array;
      readonly covariances: Float64Array;
      readonly dim: number;
    }
  | { readonly type: 'categorical'; readonly probabilities: Float64Array };
