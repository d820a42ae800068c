/**
 * The reference backend: plain TypeScript loops. Slow (a few GFLOP/s) but obviously correct, so the test suite
 * can check the fast backends' kernels against it, and the engine runs anywhere JavaScript does.
 */
import { type Backend, BufferPool, type GemmCall } from './backend.js';
import { TypeScriptKernels } from './js-kernels.js';

export class JsBackend extends TypeScriptKernels implements Backend {
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
