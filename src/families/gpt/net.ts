/**
 * The `gpt` family's network: a decoder-only transformer on the engine (GPT-2's shape, as the engine's TinyGpt):
 * pre-LayerNorm blocks of causal multi-head attention and a ReLU MLP (4x), a final LayerNorm and an output
 * layer tied to the token embedding; positions learned (GPT-2, OPT) or rotary. Two forward passes share the
 * weights: `logits` for training (autograd, whole sequences) and `KvCache` steps for generation.
 */
import {
  add,
  applyLinear,
  type Engine,
  EngineRandom,
  embedding,
  gemmCall,
  layerNorm,
  matmul,
  narrow,
  permute,
  relu,
  reshape,
  select,
  softmax,
  type Tensor,
} from '../../engine/index.js';
import { blockParams, constantParam, type TransformerBlock, transformerBlocks } from '../../engine/models/layers.js';
import { applyRotary } from './rope.js';

export interface GptSpec {
  /** Rows of the embedding: the data's vocabulary plus one start-of-text token (the last id). */
  readonly vocab: number;
  readonly dModel: number;
  readonly layers: number;
  readonly heads: number;
  /** Longest sequence the network reads (learned positions have this many rows). */
  readonly context: number;
  readonly positions: 'learned' | 'rotary';
}

type Block = TransformerBlock;

export class GptNet {
  readonly wte: Tensor;
  readonly wpe: Tensor | null;
  readonly blocks: Block[];
  readonly lnf: [Tensor, Tensor];

  constructor(
    readonly engine: Engine,
    readonly spec: GptSpec,
    seed: number,
  ) {
    const { vocab: V, dModel: D, layers, heads, context: T } = spec;
    if (D % heads !== 0) throw new Error(`gpt: dModel ${D} is not a multiple of heads ${heads}`);
    const rng = new EngineRandom(seed);
    const E = engine;
    const ln = (): [Tensor, Tensor] => [constantParam(E, [D], 1), constantParam(E, [D], 0)];
    // GPT-2's N(0, 0.02) for the tied embedding (small initial logits) and the learned positions.
    this.wte = E.param([V, D]);
    rng.fillNormal(this.wte.data, 0.02);
    this.wpe = spec.positions === 'learned' ? E.param([T, D]) : null;
    if (this.wpe) rng.fillNormal(this.wpe.data, 0.02);
    this.blocks = transformerBlocks(E, D, layers, rng);
    this.lnf = ln();
  }

  params(): Record<string, Tensor> {
    const named: Record<string, Tensor> = { wte: this.wte };
    if (this.wpe) named.wpe = this.wpe;
    for (const [i, b] of this.blocks.entries()) Object.assign(named, blockParams(i, b));
    named['lnf.gain'] = this.lnf[0];
    named['lnf.bias'] = this.lnf[1];
    return named;
  }

  /** Token plus (learned) position embeddings of ids [B * T] at positions start..start+T−1. */
  private embed(ids: Int32Array, batch: number, start: number): Tensor {
    const T = ids.length / batch;
    const x = embedding(this.wte, ids, [batch, T]);
    return this.wpe ? add(x, narrow(this.wpe, start, T)) : x;
  }

  /** The MLP half of a block, with its residual. */
  private mlp(b: Block, x: Tensor): Tensor {
    return add(x, applyLinear(b.fc2, relu(applyLinear(b.fc, layerNorm(x, b.ln2[0], b.ln2[1])))));
  }

  /** q, k, v [B, H, T, dh] of x [B, T, D] at positions start.. (rotated when positions are rotary). */
  private qkv(b: Block, x: Tensor, batch: number, T: number, start: number): [Tensor, Tensor, Tensor] {
    const { dModel: D, heads: H } = this.spec;
    const qkv = applyLinear(b.qkv, layerNorm(x, b.ln1[0], b.ln1[1]));
    const heads = permute(reshape(qkv, [batch, T, 3, H, D / H]), [2, 0, 3, 1, 4]); // [3, B, H, T, dh]
    let q = select(heads, 0);
    let k = select(heads, 1);
    if (this.spec.positions === 'rotary') {
      q = applyRotary(q, start);
      k = applyRotary(k, start);
    }
    return [q, k, select(heads, 2)];
  }

  private outputLogits(x: Tensor): Tensor {
    return matmul(layerNorm(x, this.lnf[0], this.lnf[1]), this.wte, { transB: true });
  }

  /** Logits [B, T, V] of ids [B * T] (T ≤ context), every position seeing only those before it. */
  logits(ids: Int32Array, batch: number): Tensor {
    const { dModel: D, heads: H, context } = this.spec;
    const T = ids.length / batch;
    if (!Number.isInteger(T) || T > context) throw new Error(`gpt: ${ids.length} ids do not fit batch ${batch}`);
    let x = this.embed(ids, batch, 0);
    for (const b of this.blocks) {
      const [q, k, v] = this.qkv(b, x, batch, T, 0);
      const att = softmax(matmul(q, k, { transB: true, alpha: 1 / Math.sqrt(D / H) }), { causal: true });
      x = add(x, applyLinear(b.proj, reshape(permute(matmul(att, v), [0, 2, 1, 3]), [batch, T, D])));
      x = this.mlp(b, x);
    }
    return this.outputLogits(x);
  }

  /**
   * Logits [B, V] after the next T tokens ids [B * T] of every row of `cache` (generation: no gradient), which
   * follow its first cache.length positions; their keys and values are appended to the cache. Only the last
   * position's logits are computed: the output layer is the largest product of a step.
   */
  extend(cache: KvCache, ids: Int32Array): Tensor {
    const { dModel: D, heads: H } = this.spec;
    const batch = cache.rows;
    const T = ids.length / batch;
    const start = cache.length;
    if (!Number.isInteger(T) || start + T > cache.capacity)
      throw new Error(`gpt: ${T} more positions after ${start} exceed the cache's ${cache.capacity}`);
    if (T > 1 && start > 0) throw new Error('gpt: a cache extends by several tokens only when empty');
    const E = this.engine;
    const be = E.backend;
    const dh = D / H;
    let x = this.embed(ids, batch, start);
    this.blocks.forEach((b, layer) => {
      const [q, k, v] = this.qkv(b, x, batch, T, start);
      cache.write(layer, k.data, v.data, T);
      const seen = start + T;
      // Buffers of the cache's full width, so every step reuses the same pooled sizes.
      const full = batch * H * T * cache.capacity;
      const scores = E.scratch(full, false).subarray(0, batch * H * T * seen);
      const att = E.scratch(full, false).subarray(0, batch * H * T * seen);
      const stride = cache.capacity * dh;
      be.gemm(
        gemmCall({
          ...{ transB: true, m: T, n: seen, k: dh, alpha: 1 / Math.sqrt(dh), a: q.data, b: cache.keys[layer] },
          ...{ c: scores, batch: batch * H, strideA: T * dh, strideB: stride, strideC: T * seen },
        }),
      );
      // Row t sees keys 0..start+t: the causal mask of a square block when the cache was empty, none for T = 1.
      be.softmaxRows(scores, att, batch * H * T, seen, T > 1, null);
      const y = E.tensor([batch, H, T, dh]);
      be.gemm(
        gemmCall({
          ...{ m: T, n: dh, k: seen, a: att, b: cache.values[layer] },
          ...{ c: y.data, batch: batch * H, strideA: T * seen, strideB: stride, strideC: T * dh },
        }),
      );
      x = add(x, applyLinear(b.proj, reshape(permute(y, [0, 2, 1, 3]), [batch, T, D])));
      x = this.mlp(b, x);
    });
    cache.length += T;
    if (T === 1) return this.outputLogits(reshape(x, [batch, D]));
    const last = E.tensor([batch, D]);
    for (let r = 0; r < batch; r++) last.data.set(x.data.subarray(((r + 1) * T - 1) * D, (r + 1) * T * D), r * D);
    return this.outputLogits(last);
  }
}

/**
 * Keys and values of every layer for `rows` sequences, up to `capacity` positions: [rows, H, capacity, dh] per
 * layer, in the backend's memory (dispose it). Beam search reorders rows as beams are kept and dropped.
 */
export class KvCache {
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  length = 0;
  private readonly perRow: number;
  private readonly scratch: Float32Array;

  constructor(
    private readonly net: GptNet,
    readonly rows: number,
    readonly capacity = net.spec.context,
  ) {
    const { layers, heads, dModel } = net.spec;
    this.perRow = heads * capacity * (dModel / heads);
    const be = net.engine.backend;
    this.keys = Array.from({ length: layers }, () => be.alloc(rows * this.perRow));
    this.values = Array.from({ length: layers }, () => be.alloc(rows * this.perRow));
    this.scratch = be.alloc(rows * this.perRow, false);
  }

  /** Stores k, v [rows, H, T, dh] at positions length..length+T. */
  write(layer: number, k: Float32Array, v: Float32Array, T: number): void {
    const { heads: H, dModel } = this.net.spec;
    const dh = dModel / H;
    for (let r = 0; r < this.rows * H; r++) {
      const to = r * this.capacity * dh + this.length * dh;
      this.keys[layer].set(k.subarray(r * T * dh, (r + 1) * T * dh), to);
      this.values[layer].set(v.subarray(r * T * dh, (r + 1) * T * dh), to);
    }
  }

  /** Row i takes row source(i) of `other` (a cache of the same capacity): one prompt read, copied to its beams. */
  copyFrom(other: KvCache, source: (row: number) => number): void {
    if (other.capacity !== this.capacity) throw new Error('gpt: caches of different capacity');
    const n = this.perRow;
    this.keys.forEach((buffer, layer) => {
      for (let i = 0; i < this.rows; i++) {
        const s = source(i);
        buffer.set(other.keys[layer].subarray(s * n, (s + 1) * n), i * n);
        this.values[layer].set(other.values[layer].subarray(s * n, (s + 1) * n), i * n);
      }
    });
    this.length = other.length;
  }

  /** Row i takes the keys and values row parents[i] had (beam search's survivors). */
  reorder(parents: ArrayLike<number>): void {
    const n = this.perRow;
    for (const buffers of [this.keys, this.values]) {
      for (const buffer of buffers) {
        this.scratch.set(buffer);
        for (let i = 0; i < this.rows; i++) {
          const p = parents[i];
          if (p !== i) buffer.set(this.scratch.subarray(p * n, (p + 1) * n), i * n);
        }
      }
    }
  }

  dispose(): void {
    const be = this.net.engine.backend;
    for (const b of [...this.keys, ...this.values, this.scratch]) be.free(b);
    this.keys.length = 0;
    this.values.length = 0;
  }
}
