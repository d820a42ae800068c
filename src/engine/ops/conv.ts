/**
 * 2-D convolution and transposed convolution (NCHW, PyTorch's weight layouts) by im2col + GEMM.
 *
 * The column matrix is laid out [C*KH*KW, N*OH*OW] for the whole batch, so each direction of each layer is one
 * large GEMM (which the native backend splits across threads) instead of N small ones; only the cheap
 * [O, N*P] <-> [N, O, P] reshuffle is done per element.
 */
import { type ConvGeometry, gemmCall } from '../backend.js';
import type { Tensor } from '../tensor.js';

export interface ConvOptions {
  stride?: number;
  padding?: number;
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
  const g: ConvGeometry = { n, c, h, w, kh, kw, stride, pad, oh, ow };
  const E = x.engine;
  const be = E.backend;
  const ckk = c * kh * kw;
  const np = n * oh * ow;
  const parents = bias ? [x, weight, bias] : [x, weight];
  const out = E.result([n, o, oh, ow], parents);
  const cols = E.scratch(ckk * np, false);
  be.im2col(x.data, g, cols);
  const y = E.scratch(o * np, false);
  be.gemm(gemmCall({ m: o, n: np, k: ckk, a: weight.data, b: cols, c: y }));
  be.addFromChannelMajor(y, n, o, oh * ow, bias ? bias.data : null, out.data);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const dy = E.scratch(o * np, false);
      be.toChannelMajor(out.grad!, n, o, oh * ow, dy);
      if (weight.requiresGrad)
        be.gemm(gemmCall({ transB: true, m: o, n: ckk, k: np, a: dy, b: cols, c: weight.gradBuffer(), beta: 1 }));
      if (bias?.requiresGrad) be.channelSums(out.grad!, n, o, oh * ow, bias.gradBuffer());
      if (x.requiresGrad) {
        const dcols = E.scratch(ckk * np, false);
        be.gemm(gemmCall({ transA: true, m: ckk, n: np, k: o, a: weight.data, b: dy, c: dcols }));
        be.col2im(dcols, g, x.gradBuffer());
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
  const g: ConvGeometry = { n, c: cout, h: oh, w: ow, kh, kw, stride, pad, oh: h, ow: w };
  const E = x.engine;
  const be = E.backend;
  const ckk = cout * kh * kw;
  const np = n * h * w;
  const parents = bias ? [x, weight, bias] : [x, weight];
  const out = E.result([n, cout, oh, ow], parents);
  const xc = E.scratch(cin * np, false);
  be.toChannelMajor(x.data, n, cin, h * w, xc);
  const cols = E.scratch(ckk * np, false);
  be.gemm(gemmCall({ transA: true, m: ckk, n: np, k: cin, a: weight.data, b: xc, c: cols }));
  be.col2im(cols, g, out.data);
  if (bias) be.addChannelBias(out.data, n, cout, oh * ow, bias.data);
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const dcols = E.scratch(ckk * np, false);
      be.im2col(out.grad!, g, dcols);
      if (weight.requiresGrad)
        be.gemm(gemmCall({ transB: true, m: cin, n: ckk, k: np, a: xc, b: dcols, c: weight.gradBuffer(), beta: 1 }));
      if (bias?.requiresGrad) be.channelSums(out.grad!, n, cout, oh * ow, bias.gradBuffer());
      if (x.requiresGrad) {
        const dxc = E.scratch(cin * np, false);
        be.gemm(gemmCall({ m: cin, n: np, k: ckk, a: weight.data, b: dcols, c: dxc }));
        be.addFromChannelMajor(dxc, n, cin, h * w, null, x.gradBuffer());
      }
    };
  }
  return out;
}
