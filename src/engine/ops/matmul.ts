/**
 * Matrix products with transpose flags. The backward pass calls the same GEMM with other flags instead of
 * materialising any transpose, and accumulates (beta = 1) straight into the parents' gradient buffers, or
 * writes them (beta = 0) when this is the first gradient to reach them, which spares zero-filling them.
 */
import { type Backend, gemmCall } from '../backend.js';
import type { Tensor } from '../tensor.js';

export interface MatmulOptions {
  /** Use a's last two dimensions transposed. */
  transA?: boolean;
  /** Use b's last two dimensions transposed (a Linear layer's [out, in] weight: `matmul(x, w, {transB: true})`). */
  transB?: boolean;
  /** A constant factor folded into the GEMM (attention's 1/sqrt(d)), saving a pass over the result. */
  alpha?: number;
}

/**
 * op(a) @ op(b). Shapes: a [..., m, k] (or [..., k, m] with transA), b [k, n] (or [n, k]) or b with the same
 * leading (batch) dimensions as a. A 2-D b with an untransposed a folds all of a's leading dimensions into m.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const tA = options.transA ?? false;
  const tB = options.transB ?? false;
  const alpha = options.alpha ?? 1;
  if (a.rank < 2 || b.rank < 2) throw new Error('engine: matmul needs operands of rank >= 2');
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = tA ? ac : ar;
  const k = tA ? ar : ac;
  const kb = tB ? bc : br;
  const n = tB ? br : bc;
  if (k !== kb) throw new Error(`engine: matmul inner dimensions differ: [${a.shape}] and [${b.shape}]`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batch = 1;
  let rows = m;
  let strideB = 0;
  if (bBatch.length === 0 && !tA) {
    rows = a.size / k; // fold a's leading dimensions into the row count: one large GEMM
  } else if (bBatch.length === 0) {
    batch = a.size / (m * k);
  } else if (aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i])) {
    batch = a.size / (m * k);
    strideB = k * n;
  } else {
    throw new Error(`engine: matmul batch dimensions differ: [${a.shape}] and [${b.shape}]`);
  }
  const E = a.engine;
  const out = E.result([...aBatch, m, n], [a, b], true);
  const strideA = batch > 1 ? m * k : 0;
  const strideC = batch > 1 ? m * n : 0;
  E.backend.gemm(
    gemmCall({
      transA: tA,
      transB: tB,
      m: rows,
      n,
      k,
      alpha,
      a: a.data,
      b: b.data,
      c: out.data,
      batch,
      strideA,
      strideB,
      strideC,
    }),
  );
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      const be = E.backend;
      if (a.requiresGrad) {
        const { grad: ga, fresh } = a.gradForOverwrite();
        const beta = fresh ? 0 : 1;
        if (!tA) {
          // dA[m,k] += dC[m,n] op(B)^T
          be.gemm(
            gemmCall({
              transB: !tB,
              m: rows,
              n: k,
              k: n,
              alpha,
              a: g,
              b: b.data,
              c: ga,
              beta,
              batch,
              strideA: strideC,
              strideB,
              strideC: strideA,
            }),
          );
        } else {
          // dA[k,m] += op(B) dC^T
          be.gemm(
            gemmCall({
              transA: tB,
              transB: true,
              m: k,
              n: m,
              k: n,
              alpha,
              a: b.data,
              b: g,
              c: ga,
              beta,
              batch,
              strideA: strideB,
              strideB: strideC,
              strideC: strideA,
            }),
          );
        }
      }
      if (b.requiresGrad) {
        const { grad: gb, fresh } = b.gradForOverwrite();
        // With a broadcast b the batch sums into one gradient: one call per product keeps threads race-free.
        const parts = strideB === 0 ? batch : 1;
        const inner = strideB === 0 ? 1 : batch;
        for (let p = 0; p < parts; p++) {
          const aOffset = p * m * k;
          const gOffset = p * m * n;
          if (!tB) {
            // dB[k,n] += op(A)^T dC
            gradB(be, {
              transA: !tA,
              m: k,
              n,
              k: rows,
              alpha,
              a: a.data,
              aOffset,
              b: g,
              bOffset: gOffset,
              c: gb,
              beta: fresh && p === 0 ? 0 : 1,
              inner,
              strideA,
              strideB: strideC,
              strideC: strideB,
            });
          } else {
            // dB[n,k] += dC^T op(A)
            gradB(be, {
              transA: true,
              transB: tA,
              m: n,
              n: k,
              k: rows,
              alpha,
              a: g,
              aOffset: gOffset,
              b: a.data,
              bOffset: aOffset,
              c: gb,
              beta: fresh && p === 0 ? 0 : 1,
              inner,
              strideA: strideC,
              strideB: strideA,
              strideC: strideB,
            });
          }
        }
      }
    };
  }
  return out;
}

interface GradBCall {
  alpha: number;
  beta: number;
  transA?: boolean;
  transB?: boolean;
  m: number;
  n: number;
  k: number;
  a: Float32Array;
  aOffset: number;
  b: Float32Array;
  bOffset: number;
  c: Float32Array;
  inner: number;
  strideA: number;
  strideB: number;
  strideC: number;
}

function gradB(be: Backend, c: GradBCall): void {
  be.gemm(
    gemmCall({
      transA: c.transA,
      transB: c.transB,
      m: c.m,
      n: c.n,
      k: c.k,
      alpha: c.alpha,
      a: c.a,
      aOffset: c.aOffset,
      b: c.b,
      bOffset: c.bOffset,
      c: c.c,
      beta: c.beta,
      batch: c.inner,
      strideA: c.strideA,
      strideB: c.strideB,
      strideC: c.strideC,
    }),
  );
}
