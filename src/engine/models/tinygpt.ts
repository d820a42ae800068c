/**
 * The lab's reference decoder-only transformer, as in ../shared/bench/tinygpt_torch.py: learned positions,
 * pre-LayerNorm blocks of causal multi-head attention and a ReLU MLP (4x), a final LayerNorm and an output
 * layer tied to the token embedding.
 */
import { add, relu } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { crossEntropy, embedding, layerNorm, softmax } from '../ops/nn.js';
import { narrow, permute, reshape, select } from '../ops/shape.js';
import { EngineRandom } from '../random.js';
import type { Engine, Tensor } from '../tensor.js';
import {
  applyLinear,
  blockParams,
  constantParam,
  normalParam,
  type TransformerBlock,
  transformerBlocks,
} from './layers.js';

export interface TinyGptConfig {
  vocab: number;
  dModel: number;
  layers: number;
  heads: number;
  context: number;
}

/** The benchmark's configuration (vocab 4096, d_model 128, 2 layers, 4 heads, context 64). */
export const REFERENCE_GPT: TinyGptConfig = { vocab: 4096, dModel: 128, layers: 2, heads: 4, context: 64 };

export class TinyGpt {
  readonly wte: Tensor;
  readonly wpe: Tensor;
  readonly blocks: TransformerBlock[];
  readonly lnf: [Tensor, Tensor];

  constructor(
    readonly engine: Engine,
    readonly config: TinyGptConfig,
    seed = 0,
  ) {
    const { vocab: V, dModel: D, layers, heads, context: T } = config;
    if (D % heads !== 0) throw new Error(`engine: d_model ${D} is not a multiple of heads ${heads}`);
    const rng = new EngineRandom(seed);
    const E = engine;
    const ln = (): [Tensor, Tensor] => [constantParam(E, [D], 1), constantParam(E, [D], 0)];
    // GPT-2's 0.02 for the (tied) embedding keeps the initial logits small.
    this.wte = normalParam(E, [V, D], 0.02, rng);
    this.wpe = constantParam(E, [T, D], 0);
    this.blocks = transformerBlocks(E, D, layers, rng);
    this.lnf = ln();
  }

  params(): Record<string, Tensor> {
    const named: Record<string, Tensor> = { wte: this.wte, wpe: this.wpe };
    for (const [i, b] of this.blocks.entries()) Object.assign(named, blockParams(i, b));
    named['lnf.gain'] = this.lnf[0];
    named['lnf.bias'] = this.lnf[1];
    return named;
  }

  /** Logits [B, T, V] for token ids [B * T] (T <= context). */
  logits(ids: Int32Array, batch: number): Tensor {
    const { dModel: D, heads: H, context } = this.config;
    const T = ids.length / batch;
    if (!Number.isInteger(T) || T > context) throw new Error(`engine: ${ids.length} ids do not fit batch ${batch}`);
    const dh = D / H;
    const positions = T === context ? this.wpe : narrow(this.wpe, 0, T);
    let x = add(embedding(this.wte, ids, [batch, T]), positions);
    for (const b of this.blocks) {
      const qkv = applyLinear(b.qkv, layerNorm(x, b.ln1[0], b.ln1[1]));
      const heads = permute(reshape(qkv, [batch, T, 3, H, dh]), [2, 0, 3, 1, 4]); // [3, B, H, T, dh]
      const q = select(heads, 0);
      const k = select(heads, 1);
      const v = select(heads, 2);
      const att = softmax(matmul(q, k, { transB: true, alpha: 1 / Math.sqrt(dh) }), { causal: true });
      const y = reshape(permute(matmul(att, v), [0, 2, 1, 3]), [batch, T, D]);
      x = add(x, applyLinear(b.proj, y));
      const h = relu(applyLinear(b.fc, layerNorm(x, b.ln2[0], b.ln2[1])));
      x = add(x, applyLinear(b.fc2, h));
    }
    return matmul(layerNorm(x, this.lnf[0], this.lnf[1]), this.wte, { transB: true });
  }

  /** Mean next-token cross-entropy of ids [B * T] against targets [B * T]. */
  loss(ids: Int32Array, targets: Int32Array, batch: number): Tensor {
    const logits = this.logits(ids, batch);
    return crossEntropy(reshape(logits, [-1, this.config.vocab]), targets);
  }
}
