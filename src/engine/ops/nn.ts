/** The network-specific ops: embedding, layer norm, softmax, fused losses, dropout. */

import { exp, log, log1p } from '../../numeric/libm.js';
import type { Tensor } from '../tensor.js';
import { checkSameShape } from './elementwise.js';

/** Rows of `weight` [V, D] picked by integer ids; output [...idsShape, D]. Gradient scatter-adds into weight. */
export function embedding(weight: Tensor, ids: Int32Array, idsShape: readonly number[]): Tensor {
  const [vocab, dim] = weight.shape;
  const out = weight.engine.result([...idsShape, dim], [weight], true);
  const w = weight.data;
  const o = out.data;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= vocab) throw new Error(`engine: embedding id ${id} outside [0, ${vocab})`);
    o.set(w.subarray(id * dim, id * dim + dim), i * dim);
  }
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      const gw = weight.gradBuffer();
      for (let i = 0; i < ids.length; i++) {
        const src = i * dim;
        const dst = ids[i] * dim;
        for (let j = 0; j < dim; j++) gw[dst + j] += g[src + j];
      }
    };
  }
  return out;
}

/** Layer normalisation over the last dimension with gain and bias (PyTorch's eps 1e-5). */
export function layerNorm(x: Tensor, gain: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const n = x.shape[x.rank - 1];
  if (gain.size !== n || bias.size !== n) throw new Error('engine: layerNorm gain/bias size must match last dim');
  const rows = x.size / n;
  const E = x.engine;
  const out = E.result(x.shape, [x, gain, bias], true);
  const xhat = E.scratch(x.size, false);
  const rstd = E.scratch(rows, false);
  const be = E.backend;
  be.layerNorm(x.data, gain.data, bias.data, rows, n, eps, out.data, xhat, rstd);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const gg = gain.requiresGrad ? gain.gradBuffer() : null;
      const gb = bias.requiresGrad ? bias.gradBuffer() : null;
      const gx = x.requiresGrad ? x.gradBuffer() : null;
      be.layerNormBackward(out.grad!, xhat, rstd, gain.data, rows, n, gx, gg, gb);
    };
  }
  return out;
}

/**
 * Softmax over the last dimension. With `causal`, x is [..., T, T] and row i only sees columns 0..i (the
 * masked columns get probability exactly 0, as with a -inf fill).
 */
export function softmax(x: Tensor, options: { causal?: boolean } = {}): Tensor {
  const n = x.shape[x.rank - 1];
  const rows = x.size / n;
  const causal = options.causal ?? false;
  if (causal && x.shape[x.rank - 2] !== n) throw new Error('engine: causal softmax needs square [..., T, T] input');
  const out = x.engine.result(x.shape, [x], true);
  const o = out.data;
  x.engine.backend.softmaxRows(x.data, o, rows, n, causal, null);
  if (out.requiresGrad) {
    out.backwardFn = () => x.engine.backend.softmaxBackward(o, out.grad!, x.gradBuffer(), rows, n, causal);
  }
  return out;
}

/** Mean cross-entropy of logits [N, V] against integer targets, fused with log-softmax (one pass, stable). */
export function crossEntropy(logits: Tensor, targets: Int32Array): Tensor {
  const v = logits.shape[logits.rank - 1];
  const rows = logits.size / v;
  if (targets.length !== rows) throw new Error(`engine: crossEntropy has ${rows} rows but ${targets.length} targets`);
  const E = logits.engine;
  const out = E.result([], [logits]);
  const probs = E.scratch(logits.size, false);
  const lse = E.scratch(rows, false);
  E.backend.softmaxRows(logits.data, probs, rows, v, false, lse);
  const x = logits.data;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t < 0 || t >= v) throw new Error(`engine: crossEntropy target ${t} outside [0, ${v})`);
    loss += lse[r] - x[r * v + t];
  }
  out.data[0] = loss / rows;
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const s = out.grad![0] / rows;
      const { grad: gx, fresh } = logits.gradForOverwrite();
      if (fresh) E.backend.scale(s, probs, gx);
      else E.backend.axpy(s, probs, gx);
      for (let r = 0; r < rows; r++) gx[r * v + targets[r]] -= s;
    };
  }
  return out;
}

/**
 * Summed binary cross-entropy of sigmoid(logits) against targets in [0, 1], fused so that it is stable for
 * large |logit|: max(x, 0) - x t + log(1 + exp(-|x|)); its gradient is sigmoid(x) - t.
 */
export function sigmoidBce(logits: Tensor, targets: Tensor): Tensor {
  checkSameShape(logits, targets, 'sigmoidBce');
  const E = logits.engine;
  const out = E.result([], [logits]);
  const probs = E.scratch(logits.size, false);
  out.data[0] = E.backend.sigmoidBce(logits.data, targets.data, probs);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      // d/dx = sigmoid(x) - t
      const s = out.grad![0];
      const gx = logits.gradBuffer();
      E.backend.axpy(s, probs, gx);
      E.backend.axpy(-s, targets.data, gx);
    };
  }
  return out;
}

/**
 * PyTorch's `binary_cross_entropy(sigmoid(x), t, reduction='sum')` in its own arithmetic, which the paper's VAE
 * notebook trains with: each log clamped at −100, and the gradient (p − t)·p(1 − p)/max(p(1 − p), 1e-12), which
 * vanishes where float32 p saturates at 0 or 1 (a saturated pixel stops learning; the stable form keeps pushing).
 * It is the fused stable kernel, corrected only at the elements where p(1 − p) < 1e-12 (|x| ≳ 17), which are few.
 */
export function sigmoidBceClamped(logits: Tensor, targets: Tensor): Tensor {
  checkSameShape(logits, targets, 'sigmoidBceClamped');
  const E = logits.engine;
  const out = E.result([], [logits]);
  const probs = E.scratch(logits.size, false);
  let loss = E.backend.sigmoidBce(logits.data, targets.data, probs);
  const x = logits.data;
  const t = targets.data;
  const saturated: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (p * (1 - p) >= BCE_EPS) continue;
    saturated.push(i);
    const stable = Math.max(x[i], 0) - x[i] * t[i] + log1p(exp(-Math.abs(x[i])));
    const clamped = -(t[i] * Math.max(log(p), -100) + (1 - t[i]) * Math.max(log(1 - p), -100));
    loss += clamped - stable;
  }
  out.data[0] = loss;
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const s = out.grad![0];
      const gx = logits.gradBuffer();
      E.backend.axpy(s, probs, gx);
      E.backend.axpy(-s, t, gx);
      for (const i of saturated) {
        const p = probs[i];
        gx[i] += s * ((p - t[i]) * ((p * (1 - p)) / BCE_EPS) - (p - t[i]));
      }
    };
  }
  return out;
}

/** PyTorch's floor on p(1 − p) in binary_cross_entropy's backward. */
const BCE_EPS = 1e-12;

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p). */
export function dropout(x: Tensor, p: number, random: () => number): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`engine: dropout probability ${p} outside [0, 1)`);
  if (p === 0) return x;
  const E = x.engine;
  const out = E.result(x.shape, [x]);
  const mask = E.scratch(x.size);
  const keep = 1 / (1 - p);
  const xd = x.data;
  for (let i = 0; i < x.size; i++) {
    const m = random() >= p ? keep : 0;
    mask[i] = m;
    out.data[i] = xd[i] * m;
  }
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      const gx = x.gradBuffer();
      for (let i = 0; i < x.size; i++) gx[i] += g[i] * mask[i];
    };
  }
  return out;
}
