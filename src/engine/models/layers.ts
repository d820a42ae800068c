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
