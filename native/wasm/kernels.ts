// WebAssembly SIMD128 kernels for the engine's wasm backend (AssemblyScript; built by `npm run build:wasm`, twice:
// kernels.wasm with SIMD128 only, kernels-relaxed.wasm with relaxed-SIMD FMA where the runtime has it).
// GEMM in the same Goto/BLIS shape as the native driver: op(A) and op(B) are packed into register-tile slivers
// (so transposes cost nothing inside the loop) and a 4 x 8 micro-kernel keeps eight f32x4 accumulators live.
//
// Why 4 x 8 and not a bigger tile: V8's wasm compiler (Node 20) schedules every load of a loop body before its
// arithmetic, so all A broadcasts and B vectors of one step are live at once. x64 gives it 15 usable xmm
// registers; 4 x 8 needs 8 accumulators + 2 B vectors + 4 A broadcasts + 1 temporary = 15. The 5 x 8 tile used
// before spilled two accumulators to the stack on every step and ran at ~20 GFLOP/s against ~36 for this one
// (micro-kernel alone, data in L1, on a 3.2 GHz AVX2 core whose SIMD128 mul+add ceiling is ~50).
//
// All pointers are byte addresses in the imported linear memory; the host passes two scratch regions for the
// packed panels.

const MR: i32 = 4;
const NR: i32 = 8;
const MC: i32 = 128; // a multiple of MR; the packed A block (MC x KC floats, 128 KiB) stays in L2
const NC: i32 = 256; // a multiple of NR; the packed B panel (KC x NC floats, 256 KiB) stays in L2
const KC: i32 = 256;

/** Bytes of scratch the host must reserve for packA and packB. */
export const PACK_A_BYTES: i32 = MC * KC * 4;
export const PACK_B_BYTES: i32 = KC * NC * 4;
/** 1 when this build's micro-kernel uses relaxed-SIMD fused multiply-add. */
export const RELAXED: i32 = ASC_FEATURE_RELAXED_SIMD ? 1 : 0;

// Edge tiles are computed into this MR x NR buffer and then added into C element by element.
const tile = memory.data(MR * NR * 4, 16);

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Transposes the 4 x 4 block whose rows are r0..r3 and stores its columns at dst, dst + 16, ... */
@inline
function storeTransposed4(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
  v128.store(dst + stride, i64x2.shuffle(t0, t1, 1, 3));
  v128.store(dst + 2 * stride, i64x2.shuffle(t2, t3, 0, 2));
  v128.store(dst + 3 * stride, i64x2.shuffle(t2, t3, 1, 3));
}

/**
 * Packs rows i0..i0+mc of op(A), depth p0..p0+kc, as MR-row slivers: sliver s holds, for each p, the MR values
 * op(A)[i][p] of its rows side by side (a partial last sliver is zero-padded).
 */
function packA(transA: i32, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const ld = <usize>(lda << 2);
  for (let s = 0; s < mc; s += MR) {
    const rows = min(MR, mc - s);
    const i = i0 + s;
    if (rows < MR) {
      memory.fill(dst, 0, <usize>(kc * MR * 4));
      for (let r = 0; r < rows; r++)
        for (let p = 0; p < kc; p++) {
          const src = transA == 0 ? at(a, (i + r) * lda + p0 + p) : at(a, (p0 + p) * lda + i + r);
          store<f32>(at(dst, p * MR + r), load<f32>(src));
        }
    } else if (transA == 0) {
      // Row-major A: four rows, four depths at a time, transposed in registers.
      const src = at(a, i * lda + p0);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const q = src + (<usize>p << 2);
        storeTransposed4(at(dst, p * MR), 16, v128.load(q), v128.load(q + ld), v128.load(q + 2 * ld), v128.load(q + 3 * ld));
      }
      for (; p < kc; p++)
        for (let r = 0; r < MR; r++) store<f32>(at(dst, p * MR + r), load<f32>(at(src, r * lda + p)));
    } else {
      // A stored transposed: the sliver's MR values at each depth are contiguous.
      let src = at(a, p0 * lda + i);
      for (let p = 0; p < kc; p++) {
        v128.store(at(dst, p * MR), v128.load(src));
        src += ld;
      }
    }
    dst += <usize>(kc * MR * 4);
  }
}

/** Packs columns j0..j0+nc of op(B), depth p0..p0+kc, as NR-column slivers (a partial last one zero-padded). */
function packB(transB: i32, b: usize, ldb: i32, j0: i32, nc: i32, p0: i32, kc: i32, dst: usize): void {
  const ld = <usize>(ldb << 2);
  for (let s = 0; s < nc; s += NR) {
    const cols = min(NR, nc - s);
    const j = j0 + s;
    if (cols < NR) {
      memory.fill(dst, 0, <usize>(kc * NR * 4));
      for (let c = 0; c < cols; c++)
        for (let p = 0; p < kc; p++) {
          const src = transB == 0 ? at(b, (p0 + p) * ldb + j + c) : at(b, (j + c) * ldb + p0 + p);
          store<f32>(at(dst, p * NR + c), load<f32>(src));
        }
    } else if (transB == 0) {
      let src = at(b, p0 * ldb + j);
      for (let p = 0; p < kc; p++) {
        const d = at(dst, p * NR);
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += ld;
      }
    } else {
      // B stored transposed: each of the sliver's columns is contiguous in depth; transpose 4 x 4 blocks.
      const src = at(b, j * ldb + p0);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const q = src + (<usize>p << 2);
        const d = at(dst, p * NR);
        storeTransposed4(d, 32, v128.load(q), v128.load(q + ld), v128.load(q + 2 * ld), v128.load(q + 3 * ld));
        const q4 = q + 4 * ld;
        storeTransposed4(d + 16, 32, v128.load(q4), v128.load(q4 + ld), v128.load(q4 + 2 * ld), v128.load(q4 + 3 * ld));
      }
      for (; p < kc; p++)
        for (let c = 0; c < NR; c++) store<f32>(at(dst, p * NR + c), load<f32>(at(src, c * ldb + p)));
    }
    dst += <usize>(kc * NR * 4);
  }
}

/** C_row = alpha * acc + beta * C_row for one 8-wide row of a full tile (beta == 0 never reads C). */
@inline
function writeRow(r: usize, lo: v128, hi: v128, va: v128, vb: v128, readC: bool): void {
  if (readC) {
    v128.store(r, madd(vb, v128.load(r), f32x4.mul(va, lo)));
    v128.store(r, madd(vb, v128.load(r, 16), f32x4.mul(va, hi)), 16);
  } else {
    v128.store(r, f32x4.mul(va, lo));
    v128.store(r, f32x4.mul(va, hi), 16);
  }
}

/**
 * C[0..mr, 0..nr] = alpha * (A sliver x B sliver) + beta * C. The loop body is one k step: two B vectors, four
 * A broadcasts, eight multiply-adds.
 */
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f32, beta: f32, mr: i32, nr: i32): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  const end = bp + <usize>(kc * NR * 4);
  while (bp < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(ap);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(ap, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(ap, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(ap, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    ap += MR * 4;
    bp += NR * 4;
  }
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  if (mr == MR && nr == NR) {
    const step = <usize>(ldc << 2);
    const readC = beta != 0;
    writeRow(c, c00, c01, va, vb, readC);
    writeRow(c + step, c10, c11, va, vb, readC);
    writeRow(c + 2 * step, c20, c21, va, vb, readC);
    writeRow(c + 3 * step, c30, c31, va, vb, readC);
    return;
  }
  writeRow(tile, c00, c01, va, vb, false);
  writeRow(tile + 32, c10, c11, va, vb, false);
  writeRow(tile + 64, c20, c21, va, vb, false);
  writeRow(tile + 96, c30, c31, va, vb, false);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const ci = at(c, i * ldc + j);
      const old = beta == 0 ? <f32>0 : beta * load<f32>(ci);
      store<f32>(ci, old + load<f32>(at(tile, i * NR + j)));
    }
  }
}

/** C = alpha * op(A) op(B) + beta * C for one product (the host loops over batches). */
export function gemm(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: f32,
  c: usize,
  ldc: i32,
  packAPtr: usize,
  packBPtr: usize,
): void {
  if (alpha == 0 || k == 0) {
    // Nothing to multiply: C = beta * C (beta == 0 clears C without reading it, as BLAS does).
    for (let i = 0; i < m; i++) {
      const row = at(c, i * ldc);
      if (beta == 0) memory.fill(row, 0, <usize>(n * 4));
      else if (beta != 1) for (let j = 0; j < n; j++) store<f32>(at(row, j), beta * load<f32>(at(row, j)));
    }
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      // beta applies once, on the first depth block; later blocks accumulate.
      const betaHere: f32 = p0 == 0 ? beta : 1;
      packB(transB, b, ldb, j0, nc, p0, kc, packBPtr);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA(transA, a, lda, i0, mc, p0, kc, packAPtr);
        for (let jr = 0; jr < nc; jr += NR) {
          const bp = packBPtr + <usize>((jr / NR) * kc * NR * 4);
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const ap = packAPtr + <usize>((ir / MR) * kc * MR * 4);
            micro(kc, ap, bp, at(c, (i0 + ir) * ldc + j0 + jr), ldc, alpha, betaHere, min(MR, mc - ir), nr);
          }
        }
      }
    }
  }
}

/**
 * The micro-kernel alone, `reps` times over one packed kc-deep A and B sliver pair (in L1) into a 4 x 8 tile of C:
 * the kernel's ceiling on this machine, against which bench/engine reads the whole GEMM's rate.
 */
export function microKernelLoop(reps: i32, kc: i32, ap: usize, bp: usize, c: usize): void {
  for (let r = 0; r < reps; r++) micro(kc, ap, bp, c, NR, 1, 1, MR, NR);
}
