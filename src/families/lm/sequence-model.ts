/**
 * What a language model must do for the paper's protocol (protocol.ts): learn from token blocks, continue
 * prompts, and give per-token log-probabilities. The n-gram model is one; a transformer on the engine and a
 * trainer in another process are the next. Everything else — which prompts, which metrics, watermarks — is the
 * protocol's, written once.
 */
import type { Dataset } from '../../core/dataset.js';
import type { FitContext, Metrics, ModelState, Progress } from '../../core/family.js';
import type { Rng } from '../../core/rng.js';
import type { SequenceSamples } from '../../core/samples.js';
import type { GreenList } from '../../watermark/green-list.js';

export type Decoding =
  | {
      readonly type: 'sample';
      readonly temperature: number;
      readonly topK: number;
      /** Nucleus sampling: the smallest most-likely set with this much probability (1 or absent: all). */
      readonly topP?: number;
    }
  | { readonly type: 'greedy' }
  | { readonly type: 'beam'; readonly width: number; readonly repetitionPenalty: number };

/** Which continuations are watermarked, and with which green lists. */
export interface ContinuationWatermark {
  readonly list: GreenList;
  /** marked[i] = 1: continuation i is watermarked. */
  readonly marked: Uint8Array;
}

export interface ContinueRequest {
  /** The blocks prompts are taken from (the real pool). */
  readonly prompts: SequenceSamples;
  /** Continuation i continues block indices[i] of `prompts`. */
  readonly indices: ArrayLike<number>;
  /** New tokens per continuation, exactly. */
  readonly length: number;
  readonly decoding: Decoding;
  readonly rng: Rng;
  /** Bias the continuations it marks towards their green lists (Kirchenbauer et al. 2023). */
  readonly watermark?: ContinuationWatermark;
  /** Reports how far the continuations are (models that take a while: a transformer). */
  readonly progress?: Progress;
}

export interface SequenceModel<M> {
  /**
   * A model of the training blocks. Provenance comes with them: consecutive real blocks are one text, so a
   * model may read across their boundary; anything else is a separate text.
   */
  fit(train: Dataset<SequenceSamples>, ctx: FitContext<M>): Promise<M>;
  /** One continuation per requested prompt, `length` tokens each, in request order. */
  continue(model: M, request: ContinueRequest): Promise<SequenceSamples>;
  /**
   * Natural-log probability of every token of every sequence, each token given the tokens before it in its own
   * sequence (contexts never reach into the previous one): out[i − offsets[0]] is that of tokens[i].
   */
  logProbabilities(model: M, sequences: SequenceSamples, progress?: Progress): Promise<Float64Array>;
  /** Numbers about the model itself for the metrics line (its size, say); optional. */
  describe?(model: M): Promise<Metrics>;
  save(model: M): Promise<ModelState>;
  load(state: ModelState): Promise<M>;
  dispose?(model: M): Promise<void>;
}
