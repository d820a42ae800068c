/**
 * Element-wise ops. Binary ops broadcast the second operand when its shape is a suffix of the first's (a bias
 * over the last dimension, positional embeddings over the batch): the only broadcasts the models need.
 */

import * as libm from '../../numeric/libm.js';
import type { Backend } from '../backend.js';
import { sameShape, type Tensor } from '../tensor.js';

function checkSuffix(a: Tensor, b: Tensor, op: string): void {
  const off = a.rank - b.rank;
  if (off < 0 || !b.shape.every((d, i) => d === a.shape[off + i]))
    throw new Error(`engine: ${op} cannot broadcast [${b.shape}] onto [${a.shape}]`);
}

/** t.grad += s * g, written instead (no zero-fill, no read) when g is the first gradient to reach t. */
function addInto(be: Backend, s: number, g: Float32Array, t: Tensor): void {
  const { grad, fresh } = t.gradForOverwrite();
  if (fresh) be.scale(s, g, grad);
  else be.axpy(s, g, grad);
}

/** a + sign * b, b broadcast over a's leading dimensions. */
function addSigned(a: Tensor, b: Tensor, sign: number, op: string): Tensor {
  checkSuffix(a, b, op);
  const E = a.engine;
  const out = E.result(a.shape, [a, b], true);
  const be = E.backend;
  if (b.size > 0) be.addRows(a.data, b.data, sign, out.data);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      if (a.requiresGrad) addInto(be, 1, g, a);
      if (b.requiresGrad && b.size > 0) {
        if (b.size === a.size) addInto(be, sign, g, b);
        else be.sumRows(g, sign, b.gradBuffer());
      }
    };
  }
  return out;
}

export function add(a: Tensor, b: Tensor): Tensor {
  return addSigned(a, b, 1, 'add');
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return addSigned(a, b, -1, 'sub');
}

/** a * b element-wise, b broadcast over a's leading dimensions. */
export function mul(a: Tensor, b: Tensor): Tensor {
  checkSuffix(a, b, 'mul');
  const E = a.engine;
  const out = E.result(a.shape, [a, b], true);
  const o = out.data;
  const x = a.data;
  const y = b.data;
  const nb = b.size;
  for (let base = 0; base < a.size; base += nb) {
    for (let j = 0; j < nb; j++) o[base + j] = x[base + j] * y[j];
  }
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      if (a.requiresGrad) {
        const ga = a.gradBuffer();
        for (let base = 0; base < a.size; base += nb) {
          for (let j = 0; j < nb; j++) ga[base + j] += g[base + j] * y[j];
        }
      }
      if (b.requiresGrad) {
        const gb = b.gradBuffer();
        for (let base = 0; base < a.size; base += nb) {
          for (let j = 0; j < nb; j++) gb[j] += g[base + j] * x[base + j];
        }
      }
    };
  }
  return out;
}

/** s * a + c for constants s and c. */
export function affine(a: Tensor, s: number, c = 0): Tensor {
  const out = a.engine.result(a.shape, [a], true);
  const o = out.data;
  const x = a.data;
  for (let i = 0; i < a.size; i++) o[i] = s * x[i] + c;
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      const ga = a.gradBuffer();
      for (let i = 0; i < a.size; i++) ga[i] += s * g[i];
    };
  }
  return out;
}

export function scale(a: Tensor, s: number): Tensor {
  return affine(a, s, 0);
}

/**
 * A unary op from its forward map and its derivative written in terms of the input x and the output y
 * (whichever is cheaper: sigmoid' = y(1-y), exp' = y, relu' = [x > 0]).
 */
function unary(a: Tensor, f: (x: number) => number, df: (x: number, y: number) => number): Tensor {
  const out = a.engine.result(a.shape, [a], true);
  const o = out.data;
  const x = a.data;
  for (let i = 0; i < a.size; i++) o[i] = f(x[i]);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      const ga = a.gradBuffer();
      for (let i = 0; i < a.size; i++) ga[i] += g[i] * df(x[i], o[i]);
    };
  }
  return out;
}

/** max(x, 0), on the backend: it runs on the largest activations of every model. */
export function relu(a: Tensor): Tensor {
  const E = a.engine;
  const out = E.result(a.shape, [a], true);
  E.backend.relu(a.data, out.data);
  if (out.requiresGrad) out.backwardFn = () => E.backend.reluBackward(a.data, out.grad!, a.gradBuffer());
  return out;
}

export function tanh(a: Tensor): Tensor {
  return unary(a, Math.tanh, (_x, y) => 1 - y * y);
}

export function sigmoid(a: Tensor): Tensor {
  return unary(a, sigmoidOf, (_x, y) => y * (1 - y));
}

export function exp(a: Tensor): Tensor {
  return unary(a, Math.exp, (_x, y) => y);
}

export function log(a: Tensor): Tensor {
  return unary(a, Math.log, (x) => 1 / x);
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's; PyTorch's `gelu(approximate='tanh')`). */
export function gelu(a: Tensor): Tensor {
  return unary(
    a,
    (x) => 0.5 * x * (1 + libm.tanh(GELU_C * (x + 0.044715 * x * x * x))),
    (x) => {
      const u = GELU_C * (x + 0.044715 * x * x * x);
      const t = libm.tanh(u);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
    },
  );
}

export function sigmoidOf(x: number): number {
  return x >= 0 ? 1 / (1 + libm.exp(-x)) : libm.exp(x) / (1 + libm.exp(x));
}

export function checkSameShape(a: Tensor, b: Tensor, op: string): void {
  if (!sameShape(a.shape, b.shape))
    throw new Error(`engine: ${op} needs equal shapes, got [${a.shape}] and [${b.shape}]`);
}
