/**
 * The reference backend: plain TypeScript loops. Slow (a few GFLOP/s) but obviously correct, so the test suite
 * can check the fast backends' kernels against it, and the engine runs anywhere JavaScript does.
 */
import { type AdamConstants, type Backend, BufferPool, type ConvGeometry, type GemmCall } from './backend.js';
import {
  adamStepJs,
  addFromChannelMajorJs,
  axpyJs,
  channelSumsJs,
  col2imJs,
  im2colJs,
  reluBackwardJs,
  reluJs,
  sigmoidBceJs,
  softmaxRowsJs,
  toChannelMajorJs,
} from './js-kernels.js';

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  readonly threads = 1;
  readonly description = 'js (reference TypeScript kernels, 1 thread)';
  private readonly pool = new BufferPool();

  alloc(n: number, zero = true): Float32Array {
    return this.pool.take(n, zero) ?? new Float32Array(n);
  }

  free(buffer: Float32Array): void {
    this.pool.give(buffer);
  }

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

  relu(x: Float32Array, out: Float32Array): void {
    reluJs(x, out);
  }

  reluBackward(x: Float32Array, g: Float32Array, gx: Float32Array): void {
    reluBackwardJs(x, g, gx);
  }

  axpy(alpha: number, x: Float32Array, y: Float32Array): void {
    axpyJs(alpha, x, y);
  }

  adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: AdamConstants): void {
    adamStepJs(w, g, m, v, c);
  }

  gemm(call: GemmCall): void {
    for (let p = 0; p < call.batch; p++) gemmOne(call, p);
  }
}

/** One product of a batched GEMM, accumulated in float64 per output element. */
export function gemmOne(g: GemmCall, p: number): void {
  const { m, n, k, a, b, c, lda, ldb, ldc, alpha, beta } = g;
  const a0 = g.aOffset + p * g.strideA;
  const b0 = g.bOffset + p * g.strideB;
  const c0 = g.cOffset + p * g.strideC;
  // Element (i, l) of op(A) and (l, j) of op(B) as strides, so one loop serves all four layouts.
  const aRow = g.transA ? 1 : lda;
  const aCol = g.transA ? lda : 1;
  const bRow = g.transB ? 1 : ldb;
  const bCol = g.transB ? ldb : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let ai = a0 + i * aRow;
      let bj = b0 + j * bCol;
      for (let l = 0; l < k; l++) {
        sum += a[ai] * b[bj];
        ai += aCol;
        bj += bRow;
      }
      const ci = c0 + i * ldc + j;
      c[ci] = beta === 0 ? alpha * sum : alpha * sum + beta * c[ci];
    }
  }
}
