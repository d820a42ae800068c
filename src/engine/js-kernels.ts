/**
 * TypeScript versions of the row and element kernels, shared by the reference and WebAssembly backends
 * (the latter's buffers are views into its memory, so these loops work on them unchanged).
 */
import type { AdamConstants } from './backend.js';

export function softmaxRowsJs(
  x: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  causal: boolean,
  lse: Float32Array | null,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const width = causal ? (r % cols) + 1 : cols;
    let max = -Infinity;
    for (let j = 0; j < width; j++) if (x[base + j] > max) max = x[base + j];
    let total = 0;
    for (let j = 0; j < width; j++) {
      const e = Math.exp(x[base + j] - max);
      out[base + j] = e;
      total += e;
    }
    const inv = 1 / total;
    for (let j = 0; j < width; j++) out[base + j] *= inv;
    for (let j = width; j < cols; j++) out[base + j] = 0;
    if (lse) lse[r] = max + Math.log(total);
  }
}

export function axpyJs(alpha: number, x: Float32Array, y: Float32Array): void {
  if (x.length !== y.length) throw new Error('engine: axpy lengths differ');
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function adamStepJs(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: AdamConstants): void {
  const { beta1: b1, beta2: b2, stepSize, rootC2, eps, l2, shrink } = c;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] + l2 * w[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] * shrink - (stepSize * mi) / (Math.sqrt(vi) / rootC2 + eps);
  }
}
