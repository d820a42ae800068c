/**
 * The one seam between the engine and its kernels. Everything above this file (tensors, autograd, models) is
 * backend-agnostic; a backend only has to hand out float32 buffers that live in its own memory and run the few
 * kernels whose speed decides training throughput.
 *
 * Buffers are plain `Float32Array`s so the autograd code can read and write them directly: the WebAssembly
 * backend hands out views into its linear memory, the native backend ordinary arrays whose storage C++ reads in
 * place through N-API. Offsets are in elements, strides (leading dimensions) in elements, all row-major.
 */

export type BackendName = 'native' | 'wasm' | 'js';

export interface GemmCall {
  /** op(A) is A (m x k, row stride lda) or, when transA, A stored as k x m. */
  transA: boolean;
  /** op(B) is B (k x n, row stride ldb) or, when transB, B stored as n x k. */
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  a: Float32Array;
  aOffset: number;
  lda: number;
  b: Float32Array;
  bOffset: number;
  ldb: number;
  /** beta = 0 overwrites C (NaNs in C are not propagated); beta = 1 accumulates, as backprop does. */
  beta: number;
  c: Float32Array;
  cOffset: number;
  ldc: number;
  /** Batched GEMM: `batch` products, each operand advanced by its stride (0 broadcasts it). */
  batch: number;
  strideA: number;
  strideB: number;
  strideC: number;
}

export interface Backend {
  readonly name: BackendName;
  /** Threads the kernels use (1 for the WebAssembly and reference backends). */
  readonly threads: number;
  /** A short description for logs and benchmarks: ISA path, thread count. */
  readonly description: string;
  /**
   * A buffer of n floats in this backend's memory, zero-filled unless `zero` is false (for outputs the caller
   * overwrites entirely: re-zeroing recycled buffers is a measurable share of a step).
   */
  alloc(n: number, zero?: boolean): Float32Array;
  /** Returns a buffer from `alloc` for reuse; the caller must not touch it afterwards. */
  free(buffer: Float32Array): void;
  /** C = alpha * op(A) * op(B) + beta * C, batched. */
  gemm(call: GemmCall): void;
  /**
   * Softmax of each row of x [rows, cols] into out. With `causal`, row r only sees columns 0..(r mod cols) and
   * the rest get 0. `lse`, if given, receives each row's log-sum-exp (cross-entropy's normaliser).
   */
  softmaxRows(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
    lse: Float32Array | null,
  ): void;
  /** gx[r, j] += o[r, j] * (g[r, j] - sum_j g[r, j] o[r, j]): softmax's backward (same rows/causal as forward). */
  softmaxBackward(
    o: Float32Array,
    g: Float32Array,
    gx: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
  ): void;
  /**
   * Layer norm of each row of x [rows, n]: xhat = (x - mean) * rstd, out = xhat * gain + bias; saves xhat and
   * rstd (one per row) for the backward pass.
   */
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
  ): void;
  /**
   * Layer norm's backward from the output gradient g: gx += rstd (g gain - mean(g gain) - xhat mean(g gain xhat)),
   * gg += column sums of g xhat, gb += column sums of g; a null gradient is skipped.
   */
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
  ): void;
  /**
   * out = x (of the given shape) with its dimensions permuted (contiguous); with `backward`, x += out permuted
   * back (the gradient of the forward copy).
   */
  permute(
    x: Float32Array,
    shape: readonly number[],
    perm: readonly number[],
    out: Float32Array,
    backward: boolean,
  ): void;
  /** Summed binary cross-entropy of sigmoid(x) against targets t (stable form); writes p = sigmoid(x). */
  sigmoidBce(x: Float32Array, t: Float32Array, p: Float32Array): number;
  /** Image patches to columns for convolution: cols[(c, ki, kj), (n, oi, oj)] (0 in the padding). */
  im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void;
  /** The adjoint of im2col: adds every column entry onto the pixel it came from. */
  col2im(cols: Float32Array, g: ConvGeometry, x: Float32Array): void;
  /** x [N, C, P] -> out [C, N*P]: the batch-wide column layout the convolution GEMMs use. */
  toChannelMajor(x: Float32Array, n: number, c: number, p: number, out: Float32Array): void;
  /** out [N, C, P] += y [C, N*P] + bias[c] (bias may be null). */
  addFromChannelMajor(
    y: Float32Array,
    n: number,
    c: number,
    p: number,
    bias: Float32Array | null,
    out: Float32Array,
  ): void;
  /** gb[c] += sum of g [N, C, P] over n and p (a convolution's bias gradient). */
  channelSums(g: Float32Array, n: number, c: number, p: number, gb: Float32Array): void;
  /** out [N, C, P] += bias[c] (a transposed convolution's bias). */
  addChannelBias(out: Float32Array, n: number, c: number, p: number, bias: Float32Array): void;
  /** out = max(x, 0). */
  relu(x: Float32Array, out: Float32Array): void;
  /** gx += g where x > 0. */
  reluBackward(x: Float32Array, g: Float32Array, gx: Float32Array): void;
  /** y += alpha * x (equal lengths): the gradient accumulation of most ops. */
  axpy(alpha: number, x: Float32Array, y: Float32Array): void;
  /** out = alpha * x (equal lengths): a gradient written rather than accumulated. */
  scale(alpha: number, x: Float32Array, out: Float32Array): void;
  /** out[r * nb + j] = x[r * nb + j] + sign * y[j] with nb = y.length: a bias or a residual (nb = x.length). */
  addRows(x: Float32Array, y: Float32Array, sign: number, out: Float32Array): void;
  /** gy[j] += sign * (sum over rows r of g[r * nb + j]) with nb = gy.length: the gradient of addRows in y. */
  sumRows(g: Float32Array, sign: number, gy: Float32Array): void;
  /** One Adam update of w from g with moments m and v (see optim.ts for the constants). */
  adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: AdamConstants): void;
}

/** A convolution's geometry: input [n, c, h, w], kernel kh x kw, output positions oh x ow. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
  oh: number;
  ow: number;
}

export interface AdamConstants {
  beta1: number;
  beta2: number;
  /** lr / (1 - beta1^t) */
  stepSize: number;
  /** sqrt(1 - beta2^t) */
  rootC2: number;
  eps: number;
  /** L2 weight decay added to the gradient (PyTorch's Adam); 0 for AdamW. */
  l2: number;
  /** 1 - lr * weightDecay for AdamW's decoupled decay; 1 for Adam. */
  shrink: number;
}

/** Fills in the defaults of a GEMM call: contiguous operands, no batching, overwrite. */
export function gemmCall(partial: Pick<GemmCall, 'm' | 'n' | 'k' | 'a' | 'b' | 'c'> & Partial<GemmCall>): GemmCall {
  const transA = partial.transA ?? false;
  const transB = partial.transB ?? false;
  return {
    transA,
    transB,
    m: partial.m,
    n: partial.n,
    k: partial.k,
    alpha: partial.alpha ?? 1,
    a: partial.a,
    aOffset: partial.aOffset ?? 0,
    lda: partial.lda ?? (transA ? partial.m : partial.k),
    b: partial.b,
    bOffset: partial.bOffset ?? 0,
    ldb: partial.ldb ?? (transB ? partial.k : partial.n),
    beta: partial.beta ?? 0,
    c: partial.c,
    cOffset: partial.cOffset ?? 0,
    ldc: partial.ldc ?? partial.n,
    batch: partial.batch ?? 1,
    strideA: partial.strideA ?? 0,
    strideB: partial.strideB ?? 0,
    strideC: partial.strideC ?? 0,
  };
}

/** Size-keyed free lists: the training loop allocates the same shapes every step, so after the first step
 * every buffer comes from here and no memory is allocated per op. */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();

  take(n: number, zero = true): Float32Array | undefined {
    const list = this.free.get(n);
    const buffer = list?.pop();
    if (buffer && zero) buffer.fill(0);
    return buffer;
  }

  give(buffer: Float32Array): void {
    let list = this.free.get(buffer.length);
    if (!list) {
      list = [];
      this.free.set(buffer.length, list);
    }
    list.push(buffer);
  }
}
