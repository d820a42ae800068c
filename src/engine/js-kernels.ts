/**
 * TypeScript versions of the row and element kernels, shared by the reference and WebAssembly backends
 * (the latter's buffers are views into its memory, so these loops work on them unchanged).
 */

import { exp, log, log1p } from '../numeric/libm.js';
import type { AdamConstants, ConvGeometry } from './backend.js';

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
      const e = exp(x[base + j] - max);
      out[base + j] = e;
      total += e;
    }
    const inv = 1 / total;
    for (let j = 0; j < width; j++) out[base + j] *= inv;
    for (let j = width; j < cols; j++) out[base + j] = 0;
    if (lse) lse[r] = max + log(total);
  }
}

export function softmaxBackwardJs(
  o: Float32Array,
  g: Float32Array,
  gx: Float32Array,
  rows: number,
  cols: number,
  causal: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const width = causal ? (r % cols) + 1 : cols;
    let dot = 0;
    for (let j = 0; j < width; j++) dot += g[base + j] * o[base + j];
    for (let j = 0; j < width; j++) gx[base + j] += o[base + j] * (g[base + j] - dot);
  }
}

export function layerNormJs(
  x: Float32Array,
  gain: Float32Array,
  bias: Float32Array,
  rows: number,
  n: number,
  eps: number,
  out: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let mean = 0;
    for (let j = 0; j < n; j++) mean += x[base + j];
    mean /= n;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const d = x[base + j] - mean;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / n + eps);
    rstd[r] = rs;
    for (let j = 0; j < n; j++) {
      const h = (x[base + j] - mean) * rs;
      xhat[base + j] = h;
      out[base + j] = h * gain[j] + bias[j];
    }
  }
}

export function layerNormBackwardJs(
  g: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
  gain: Float32Array,
  rows: number,
  n: number,
  gx: Float32Array | null,
  gg: Float32Array | null,
  gb: Float32Array | null,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let sumD = 0;
    let sumDH = 0;
    for (let j = 0; j < n; j++) {
      const dh = g[base + j] * gain[j];
      sumD += dh;
      sumDH += dh * xhat[base + j];
      if (gg) gg[j] += g[base + j] * xhat[base + j];
      if (gb) gb[j] += g[base + j];
    }
    if (gx) {
      const rs = rstd[r];
      const mD = sumD / n;
      const mDH = sumDH / n;
      for (let j = 0; j < n; j++) gx[base + j] += rs * (g[base + j] * gain[j] - mD - xhat[base + j] * mDH);
    }
  }
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Walks the output of a permutation row by row (innermost output dimension), moving values between the
 * contiguous output `o` and the strided input `x`: forward copies x into o, backward adds o into x (the
 * gradient). Loops are written out, not passed as callbacks: this runs on every attention layer.
 */
export function permuteJs(
  x: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
  o: Float32Array,
  backward: boolean,
): void {
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const strides = perm.map((p) => inStrides[p]);
  const rank = outShape.length;
  const last = rank - 1;
  const idx = new Array<number>(rank).fill(0);
  let total = 1;
  for (const d of outShape) total *= d;
  const innerN = outShape[last];
  const innerS = strides[last];
  if (total === 0) return;
  let inBase = 0;
  for (let row = 0; row < total; row += innerN) {
    if (!backward && innerS === 1) o.set(x.subarray(inBase, inBase + innerN), row);
    else if (!backward) for (let j = 0; j < innerN; j++) o[row + j] = x[inBase + j * innerS];
    else for (let j = 0; j < innerN; j++) x[inBase + j * innerS] += o[row + j];
    // advance the outer index like an odometer
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      inBase += strides[d];
      if (idx[d] < outShape[d]) break;
      inBase -= idx[d] * strides[d];
      idx[d] = 0;
    }
  }
}

export function sigmoidBceJs(x: Float32Array, t: Float32Array, p: Float32Array): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const e = exp(-Math.abs(xi));
    const inv = 1 / (1 + e);
    p[i] = xi >= 0 ? inv : e * inv;
    total += Math.max(xi, 0) - xi * t[i] + log1p(e);
  }
  return total;
}

export function axpyJs(alpha: number, x: Float32Array, y: Float32Array): void {
  if (x.length !== y.length) throw new Error('engine: axpy lengths differ');
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function scaleJs(alpha: number, x: Float32Array, out: Float32Array): void {
  if (x.length !== out.length) throw new Error('engine: scale lengths differ');
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i];
}

export function addRowsJs(x: Float32Array, y: Float32Array, sign: number, out: Float32Array): void {
  const nb = y.length;
  for (let base = 0; base < x.length; base += nb) {
    for (let j = 0; j < nb; j++) out[base + j] = x[base + j] + sign * y[j];
  }
}

export function sumRowsJs(g: Float32Array, sign: number, gy: Float32Array): void {
  const nb = gy.length;
  for (let base = 0; base < g.length; base += nb) {
    for (let j = 0; j < nb; j++) gy[j] += sign * g[base + j];
  }
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

/** Copies image patches into columns: cols[(c,kh,kw), (n,oh,ow)]; zero where the patch is in the padding. */
export function im2colJs(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const P = g.oh * g.ow;
  const NP = g.n * P;
  for (let c = 0; c < g.c; c++) {
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++) {
        const row = ((c * g.kh + ki) * g.kw + kj) * NP;
        for (let n = 0; n < g.n; n++) {
          const img = (n * g.c + c) * g.h * g.w;
          for (let oi = 0; oi < g.oh; oi++) {
            const ih = oi * g.stride - g.pad + ki;
            const dst = row + n * P + oi * g.ow;
            if (ih < 0 || ih >= g.h) {
              cols.fill(0, dst, dst + g.ow);
              continue;
            }
            const src = img + ih * g.w;
            for (let oj = 0; oj < g.ow; oj++) {
              const iw = oj * g.stride - g.pad + kj;
              cols[dst + oj] = iw >= 0 && iw < g.w ? x[src + iw] : 0;
            }
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: adds every column entry back onto the pixel it came from. */
export function col2imJs(cols: Float32Array, g: ConvGeometry, x: Float32Array): void {
  const P = g.oh * g.ow;
  const NP = g.n * P;
  for (let c = 0; c < g.c; c++) {
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++) {
        const row = ((c * g.kh + ki) * g.kw + kj) * NP;
        for (let n = 0; n < g.n; n++) {
          const img = (n * g.c + c) * g.h * g.w;
          for (let oi = 0; oi < g.oh; oi++) {
            const ih = oi * g.stride - g.pad + ki;
            if (ih < 0 || ih >= g.h) continue;
            const src = row + n * P + oi * g.ow;
            const dst = img + ih * g.w;
            for (let oj = 0; oj < g.ow; oj++) {
              const iw = oj * g.stride - g.pad + kj;
              if (iw >= 0 && iw < g.w) x[dst + iw] += cols[src + oj];
            }
          }
        }
      }
    }
  }
}

/** out [N, C, P] += bias[c]. */
export function addChannelBiasJs(out: Float32Array, n: number, c: number, p: number, bias: Float32Array): void {
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * p;
      const b = bias[ch];
      for (let j = 0; j < p; j++) out[base + j] += b;
    }
}

export function reluJs(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.max(x[i], 0);
}

export function reluBackwardJs(x: Float32Array, g: Float32Array, gx: Float32Array): void {
  for (let i = 0; i < x.length; i++) if (x[i] > 0) gx[i] += g[i];
}

/** [N, C, P] -> [C, N*P] (a copy). */
export function toChannelMajorJs(x: Float32Array, n: number, c: number, p: number, out: Float32Array): void {
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) out.set(x.subarray((i * c + ch) * p, (i * c + ch + 1) * p), ch * n * p + i * p);
}

/** [C, N*P] -> [N, C, P] added onto out, plus a per-channel bias. */
export function addFromChannelMajorJs(
  y: Float32Array,
  n: number,
  c: number,
  p: number,
  bias: Float32Array | null,
  out: Float32Array,
): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const src = ch * n * p + i * p;
      const dst = (i * c + ch) * p;
      const b = bias ? bias[ch] : 0;
      for (let j = 0; j < p; j++) out[dst + j] += y[src + j] + b;
    }
  }
}

/** gb[c] += the sum of g [N, C, P] over n and p. */
export function channelSumsJs(g: Float32Array, n: number, c: number, p: number, gb: Float32Array): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      let acc = 0;
      const base = (i * c + ch) * p;
      for (let j = 0; j < p; j++) acc += g[base + j];
      gb[ch] += acc;
    }
  }
}

/**
 * The row and element kernels as TypeScript methods: the js backend's, and the wasm backend's until those
 * kernels get WebAssembly versions. Backends extend this and add memory and GEMM.
 */
export abstract class TypeScriptKernels {
  softmaxRows(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
    lse: Float32Array | null,
  ): void {
    softmaxRowsJs(x, out, rows, cols, causal, lse);
  }

  softmaxBackward(
    o: Float32Array,
    g: Float32Array,
    gx: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
  ): void {
    softmaxBackwardJs(o, g, gx, rows, cols, causal);
  }

  layerNorm(
    x: Float32Array,
    gain: Float32Array,
    bias: Float32Array,
    rows: number,
    n: number,
    eps: number,
    out: Float32Array,
    xhat: Float32Array,
    rstd: Float32Array,
  ): void {
    layerNormJs(x, gain, bias, rows, n, eps, out, xhat, rstd);
  }

  layerNormBackward(
    g: Float32Array,
    xhat: Float32Array,
    rstd: Float32Array,
    gain: Float32Array,
    rows: number,
    n: number,
    gx: Float32Array | null,
    gg: Float32Array | null,
    gb: Float32Array | null,
  ): void {
    layerNormBackwardJs(g, xhat, rstd, gain, rows, n, gx, gg, gb);
  }

  permute(
    x: Float32Array,
    shape: readonly number[],
    perm: readonly number[],
    out: Float32Array,
    backward: boolean,
  ): void {
    permuteJs(x, shape, perm, out, backward);
  }

  sigmoidBce(x: Float32Array, t: Float32Array, p: Float32Array): number {
    return sigmoidBceJs(x, t, p);
  }

  im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
    im2colJs(x, g, cols);
  }

  col2im(cols: Float32Array, g: ConvGeometry, x: Float32Array): void {
    col2imJs(cols, g, x);
  }

  toChannelMajor(x: Float32Array, n: number, c: number, p: number, out: Float32Array): void {
    toChannelMajorJs(x, n, c, p, out);
  }

  addFromChannelMajor(
    y: Float32Array,
    n: number,
    c: number,
    p: number,
    bias: Float32Array | null,
    out: Float32Array,
  ): void {
    addFromChannelMajorJs(y, n, c, p, bias, out);
  }

  channelSums(g: Float32Array, n: number, c: number, p: number, gb: Float32Array): void {
    channelSumsJs(g, n, c, p, gb);
  }

  addChannelBias(out: Float32Array, n: number, c: number, p: number, bias: Float32Array): void {
    addChannelBiasJs(out, n, c, p, bias);
  }

  relu(x: Float32Array, out: Float32Array): void {
    reluJs(x, out);
  }

  reluBackward(x: Float32Array, g: Float32Array, gx: Float32Array): void {
    reluBackwardJs(x, g, gx);
  }

  axpy(alpha: number, x: Float32Array, y: Float32Array): void {
    axpyJs(alpha, x, y);
  }

  scale(alpha: number, x: Float32Array, out: Float32Array): void {
    scaleJs(alpha, x, out);
  }

  addRows(x: Float32Array, y: Float32Array, sign: number, out: Float32Array): void {
    addRowsJs(x, y, sign, out);
  }

  sumRows(g: Float32Array, sign: number, gy: Float32Array): void {
    sumRowsJs(g, sign, gy);
  }

  adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: AdamConstants): void {
    adamStepJs(w, g, m, v, c);
  }
}
