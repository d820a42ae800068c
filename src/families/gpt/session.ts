/**
 * A KV-cached decoding session of the network over a batch of prompts (decode.ts's DecodeSession): the prompts
 * are read once (the prefill), then every step feeds one token per row. Log-probabilities are over the data's
 * vocabulary only: the start token is never emitted.
 */
import type { Engine } from '../../engine/index.js';
import type { DecodeSession } from './decode.js';
import { type GptNet, KvCache } from './net.js';

/**
 * Softmax of each row of logits [rows, stride] over its first `vocab` entries, by the backend's kernel (the
 * columns past `vocab`, the start token's, are set to −∞ in `logits` first): the probabilities [rows, stride]
 * (0 past vocab) and each row's log-sum-exp, both scratch of the enclosing tidy.
 */
export function softmaxOverVocab(engine: Engine, logits: Float32Array, rows: number, stride: number, vocab: number) {
  for (let r = 0; r < rows; r++) logits.fill(Number.NEGATIVE_INFINITY, r * stride + vocab, (r + 1) * stride);
  const lse = engine.scratch(rows, false);
  const probs = engine.scratch(rows * stride, false);
  engine.backend.softmaxRows(logits, probs, rows, stride, false, lse);
  return { probs, lse };
}

/** A step's next-token distributions: probabilities now, log-probabilities when first asked for. */
class Distributions {
  private logs: Float64Array | undefined;
  constructor(
    readonly probabilities: Float32Array,
    private readonly logits: Float32Array,
    private readonly lse: Float32Array,
  ) {}

  static of(engine: Engine, logits: Float32Array, rows: number, stride: number, vocab: number): Distributions {
    const { probs, lse } = softmaxOverVocab(engine, logits, rows, stride, vocab);
    const kept = new Float32Array(rows * vocab);
    const probabilities = new Float32Array(rows * vocab);
    for (let r = 0; r < rows; r++) {
      kept.set(logits.subarray(r * stride, r * stride + vocab), r * vocab);
      probabilities.set(probs.subarray(r * stride, r * stride + vocab), r * vocab);
    }
    return new Distributions(probabilities, kept, Float32Array.from(lse));
  }

  /** Rows copied from `from(row)` (a prompt's distributions to each of its beams). */
  expand(rows: number, vocab: number, from: (row: number) => number): Distributions {
    const logits = new Float32Array(rows * vocab);
    const probabilities = new Float32Array(rows * vocab);
    const lse = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const f = from(r);
      logits.set(this.logits.subarray(f * vocab, (f + 1) * vocab), r * vocab);
      probabilities.set(this.probabilities.subarray(f * vocab, (f + 1) * vocab), r * vocab);
      lse[r] = this.lse[f];
    }
    return new Distributions(probabilities, logits, lse);
  }

  logProbs(vocab: number): Float64Array {
    if (!this.logs) {
      const logs = new Float64Array(this.logits.length);
      for (let i = 0; i < logs.length; i++) logs[i] = this.logits[i] - this.lse[Math.floor(i / vocab)];
      this.logs = logs;
    }
    return this.logs;
  }
}

export class GptSession implements DecodeSession {
  readonly rows: number;
  readonly vocab: number;
  private cache: KvCache;
  private current: Distributions;

  /**
   * Prompts (each already starting with the start token, all of one length) read into a cache of `copies`
   * rows per prompt (beam search's beams), with room for `extra` more tokens.
   */
  constructor(
    private readonly net: GptNet,
    prompts: readonly Int32Array[],
    copies: number,
    extra: number,
  ) {
    const T = prompts[0].length;
    if (prompts.some((p) => p.length !== T)) throw new Error('gpt: a session needs prompts of one length');
    const capacity = T + extra;
    if (capacity > net.spec.context)
      throw new Error(`gpt: ${T} prompt positions and ${extra} more exceed the context ${net.spec.context}`);
    this.vocab = net.spec.vocab - 1;
    this.rows = prompts.length * copies;
    const ids = new Int32Array(prompts.length * T);
    for (const [i, p] of prompts.entries()) ids.set(p, i * T);
    const first = new KvCache(net, prompts.length, capacity);
    const V = net.spec.vocab;
    const once = net.engine.tidy(() =>
      Distributions.of(net.engine, net.extend(first, ids).data, prompts.length, V, this.vocab),
    );
    if (copies === 1) {
      this.cache = first;
      this.current = once;
      return;
    }
    // Read each prompt once, then copy its keys and values to its beams.
    this.cache = new KvCache(net, this.rows, capacity);
    this.cache.copyFrom(first, (row) => Math.floor(row / copies));
    first.dispose();
    this.current = once.expand(this.rows, this.vocab, (row) => Math.floor(row / copies));
  }

  logProbs(): Float64Array {
    return this.current.logProbs(this.vocab);
  }

  probabilities(): Float32Array {
    return this.current.probabilities;
  }

  advance(tokens: Int32Array): void {
    const { net, cache } = this;
    this.current = net.engine.tidy(() =>
      Distributions.of(net.engine, net.extend(cache, tokens).data, this.rows, net.spec.vocab, this.vocab),
    );
  }

  reorder(parents: Int32Array): void {
    this.cache.reorder(parents);
  }

  dispose(): void {
    this.cache.dispose();
  }
}
