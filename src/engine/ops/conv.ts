/**
 * 2-D convolution and transposed convolution (NCHW, PyTorch's weight layouts) by im2col + GEMM.
 *
 * The column matrix is laid out [C*KH*KW, images*OH*OW] and built for a chunk of images at a time, sized so it
 * stays in the last-level cache (`convChunk.maxColumnFloats`): the conv VAE's second layer would otherwise
 * write and re-read a 51 MB matrix through DRAM in each direction. Each chunk's products are GEMMs with
 * N = images*OH*OW (~1,000), large enough for the micro-kernels and the thread pool; they read and write their
 * slice of the batch-wide [O, N*P] activations through leading dimensions, and the backward pass rebuilds each
 * chunk's columns rather than keeping the whole matrix.
 */
import { type Backend, type ConvGeometry, gemmCall } from '../backend.js';
import type { Tensor } from '../tensor.js';

export interface ConvOptions {
  stride?: number;
  padding?: number;
}

/** Column-matrix budget per chunk, in floats (4 MiB by default). Tests lower it to exercise several chunks. */
export const convChunk = { maxColumnFloats: 1 << 20 };

/** [first, end) image ranges whose column matrices (ckk x images*p floats) fit the budget. */
function imageChunks(n: number, ckk: number, p: number): Array<[number, number]> {
  const per = Math.max(1, Math.floor(convChunk.maxColumnFloats / (ckk * p)));
  const chunks: Array<[number, number]> = [];
  for (let i = 0; i < n; i += per) chunks.push([i, Math.min(n, i + per)]);
  return chunks;
}

/** The images [i0, i1) of an [N, C, H, W] buffer, as a view. */
function images(data: Float32Array, i0: number, i1: number, perImage: number): Float32Array {
  return data.subarray(i0 * perImage, i1 * perImage);
}

/**
 * grad [rows, ckk] += act[:, chunk] cols^T: a chunk's share of a weight gradient, where act is channel-major
 * [rows, N*P] (leading dimension ld) and the chunk's cn columns start at `offset`.
 */
function addWeightGradient(
  be: Backend,
  act: Float32Array,
  rows: number,
  offset: number,
  ld: number,
  cols: Float32Array,
  ckk: number,
  cn: number,
  grad: Float32Array,
): void {
  const call = { transB: true, m: rows, n: ckk, k: cn, a: act, aOffset: offset, lda: ld, b: cols, ldb: cn };
  be.gemm(gemmCall({ ...call, c: grad, beta: 1 }));
}

/** x [N, C, H, W] * weight [O, C, KH, KW] (+ bias [O]) -> [N, O, OH, OW]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions = {}): Tensor {
  const stride = options.stride ?? 1;
  const pad = options.padding ?? 0;
  const [n, c, h, w] = x.shape;
  const [o, wc, kh, kw] = weight.shape;
  if (x.rank !== 4 || weight.rank !== 4 || wc !== c)
    throw new Error(`engine: conv2d shapes [${x.shape}] and [${weight.shape}] do not fit`);
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
  const E = x.engine;
  const be = E.backend;
  const ckk = c * kh * kw;
  const p = oh * ow;
  const np = n * p;
  const chunks = imageChunks(n, ckk, p);
  const geometry = (i0: number, i1: number): ConvGeometry => ({ n: i1 - i0, c, h, w, kh, kw, stride, pad, oh, ow });
  const parents = bias ? [x, weight, bias] : [x, weight];
  const out = E.result([n, o, oh, ow], parents);
  const cols = E.scratch(chunks[0][1] * ckk * p, false); // the first chunk is the largest
  const y = E.scratch(o * np, false); // [O, N*P]
  for (const [i0, i1] of chunks) {
    be.im2col(images(x.data, i0, i1, c * h * w), geometry(i0, i1), cols);
    const cn = (i1 - i0) * p;
    be.gemm(gemmCall({ m: o, n: cn, k: ckk, a: weight.data, b: cols, c: y, cOffset: i0 * p, ldc: np }));
  }
  be.addFromChannelMajor(y, n, o, p, bias ? bias.data : null, out.data);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const dy = E.scratch(o * np, false);
      be.toChannelMajor(out.grad!, n, o, p, dy);
      if (bias?.requiresGrad) be.channelSums(out.grad!, n, o, p, bias.gradBuffer());
      if (!weight.requiresGrad && !x.requiresGrad) return;
      const dcols = x.requiresGrad ? E.scratch(cols.length, false) : null;
      const gx = x.requiresGrad ? x.gradBuffer() : null;
      for (const [i0, i1] of chunks) {
        const g = geometry(i0, i1);
        const cn = (i1 - i0) * p;
        if (weight.requiresGrad) {
          be.im2col(images(x.data, i0, i1, c * h * w), g, cols);
          addWeightGradient(be, dy, o, i0 * p, np, cols, ckk, cn, weight.gradBuffer());
        }
        if (dcols && gx) {
          be.gemm(
            gemmCall({ transA: true, m: ckk, n: cn, k: o, a: weight.data, b: dy, bOffset: i0 * p, ldb: np, c: dcols }),
          );
          be.col2im(dcols, g, images(gx, i0, i1, c * h * w));
        }
      }
    };
  }
  return out;
}

/**
 * Transposed convolution (the adjoint of conv2d in x): x [N, Cin, H, W], weight [Cin, Cout, KH, KW]
 * (+ bias [Cout]) -> [N, Cout, (H-1)*stride - 2*pad + KH, ...].
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions = {}): Tensor {
  const stride = options.stride ?? 1;
  const pad = options.padding ?? 0;
  const [n, cin, h, w] = x.shape;
  const [wc, cout, kh, kw] = weight.shape;
  if (x.rank !== 4 || weight.rank !== 4 || wc !== cin)
    throw new Error(`engine: convTranspose2d shapes [${x.shape}] and [${weight.shape}] do not fit`);
  const oh = (h - 1) * stride - 2 * pad + kh;
  const ow = (w - 1) * stride - 2 * pad + kw;
  // Geometry of the conv whose input is our output: its output positions are our input pixels.
  const geometry = (i0: number, i1: number): ConvGeometry => ({
    n: i1 - i0,
    c: cout,
    h: oh,
    w: ow,
    kh,
    kw,
    stride,
    pad,
    oh: h,
    ow: w,
  });
  const E = x.engine;
  const be = E.backend;
  const ckk = cout * kh * kw;
  const p = h * w;
  const np = n * p;
  const outImage = cout * oh * ow;
  const chunks = imageChunks(n, ckk, p);
  const parents = bias ? [x, weight, bias] : [x, weight];
  const out = E.result([n, cout, oh, ow], parents);
  const xc = E.scratch(cin * np, false); // [Cin, N*P]
  be.toChannelMajor(x.data, n, cin, p, xc);
  const cols = E.scratch(chunks[0][1] * ckk * p, false); // the first chunk is the largest
  for (const [i0, i1] of chunks) {
    const cn = (i1 - i0) * p;
    be.gemm(
      gemmCall({ transA: true, m: ckk, n: cn, k: cin, a: weight.data, b: xc, bOffset: i0 * p, ldb: np, c: cols }),
    );
    be.col2im(cols, geometry(i0, i1), images(out.data, i0, i1, outImage));
  }
  if (bias) be.addChannelBias(out.data, n, cout, oh * ow, bias.data);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const gy = out.grad!;
      if (bias?.requiresGrad) be.channelSums(gy, n, cout, oh * ow, bias.gradBuffer());
      if (!weight.requiresGrad && !x.requiresGrad) return;
      const dxc = x.requiresGrad ? E.scratch(cin * np, false) : null;
      for (const [i0, i1] of chunks) {
        const cn = (i1 - i0) * p;
        be.im2col(images(gy, i0, i1, outImage), geometry(i0, i1), cols);
        if (weight.requiresGrad) addWeightGradient(be, xc, cin, i0 * p, np, cols, ckk, cn, weight.gradBuffer());
        if (dxc)
          be.gemm(gemmCall({ m: cin, n: cn, k: ckk, a: weight.data, b: cols, c: dxc, cOffset: i0 * p, ldc: np }));
      }
      if (dxc) be.addFromChannelMajor(dxc, n, cin, p, null, x.gradBuffer());
    };
  }
  return out;
}
