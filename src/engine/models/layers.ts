/** Parameter initialisers matching PyTorch's defaults, and the affine layer built from matmul + add. */
import { add } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import type { EngineRandom } from '../random.js';
import type { Engine, Shape, Tensor } from '../tensor.js';

/** U(-1/sqrt(fanIn), 1/sqrt(fanIn)): what kaiming_uniform(a=sqrt(5)) gives nn.Linear and nn.Conv2d. */
export function uniformParam(E: Engine, shape: Shape, fanIn: number, rng: EngineRandom): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const p = E.param(shape);
  rng.fillUniform(p.data, -bound, bound);
  return p;
}

export function normalParam(E: Engine, shape: Shape, std: number, rng: EngineRandom): Tensor {
  const p = E.param(shape);
  rng.fillNormal(p.data, std);
  return p;
}

export function constantParam(E: Engine, shape: Shape, value: number): Tensor {
  const p = E.param(shape);
  p.data.fill(value);
  return p;
}

export interface Linear {
  /** [out, in], PyTorch's layout. */
  weight: Tensor;
  bias: Tensor | null;
}

export function linear(E: Engine, inputs: number, outputs: number, rng: EngineRandom, bias = true): Linear {
  return {
    weight: uniformParam(E, [outputs, inputs], inputs, rng),
    bias: bias ? uniformParam(E, [outputs], inputs, rng) : null,
  };
}

/** x [..., in] -> [..., out]. */
export function applyLinear(layer: Linear, x: Tensor): Tensor {
  const y = matmul(x, layer.weight, { transB: true });
  return layer.bias ? add(y, layer.bias) : y;
}

/** Named parameters of linear layers, for optimisers and save/load. */
export function linearParams(name: string, layer: Linear): Record<string, Tensor> {
  return layer.bias
    ? { [`${name}.weight`]: layer.weight, [`${name}.bias`]: layer.bias }
    : { [`${name}.weight`]: layer.weight };
}

/** One pre-LayerNorm transformer block (GPT-2's): causal attention's qkv and projection, then a 4× ReLU MLP. */
export interface TransformerBlock {
  ln1: [Tensor, Tensor];
  qkv: Linear;
  proj: Linear;
  ln2: [Tensor, Tensor];
  fc: Linear;
  fc2: Linear;
}

/** `layers` blocks of width `width`, LayerNorms at gain 1 and bias 0, linear layers without bias. */
export function transformerBlocks(E: Engine, width: number, layers: number, rng: EngineRandom): TransformerBlock[] {
  const ln = (): [Tensor, Tensor] => [constantParam(E, [width], 1), constantParam(E, [width], 0)];
  return Array.from({ length: layers }, () => ({
    ln1: ln(),
    qkv: linear(E, width, 3 * width, rng, false),
    proj: linear(E, width, width, rng, false),
    ln2: ln(),
    fc: linear(E, width, 4 * width, rng, false),
    fc2: linear(E, 4 * width, width, rng, false),
  }));
}

/** Named parameters of block `i` (`h{i}.ln1.gain`, `h{i}.qkv.weight`, ...), as GPT-2's checkpoints name them. */
export function blockParams(i: number, b: TransformerBlock): Record<string, Tensor> {
  return {
    [`h${i}.ln1.gain`]: b.ln1[0],
    [`h${i}.ln1.bias`]: b.ln1[1],
    ...linearParams(`h${i}.qkv`, b.qkv),
    ...linearParams(`h${i}.proj`, b.proj),
    [`h${i}.ln2.gain`]: b.ln2[0],
    [`h${i}.ln2.bias`]: b.ln2[1],
    ...linearParams(`h${i}.fc`, b.fc),
    ...linearParams(`h${i}.fc2`, b.fc2),
  };
}
