// WebAssembly SIMD128 kernels for the engine's wasm backend (AssemblyScript; built by `npm run build:wasm`).
// GEMM in the same Goto/BLIS shape as the native driver: op(A) and op(B) are packed into register-tile slivers
// (so transposes cost nothing inside the loop) and a 5 x 8 micro-kernel keeps ten f32x4 accumulators live.
// All pointers are byte addresses in the imported linear memory; the host passes two scratch regions for the
// packed panels.

const MR: i32 = 5;
const NR: i32 = 8;
const MC: i32 = 120; // a multiple of MR
const NC: i32 = 256; // a multiple of NR
const KC: i32 = 256;

/** Bytes of scratch the host must reserve for packA and packB. */
export const PACK_A_BYTES: i32 = MC * KC * 4;
export const PACK_B_BYTES: i32 = KC * NC * 4;

// Edge tiles are written through this 5 x 8 buffer.
const tile = memory.data(MR * NR * 4, 16);

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

function packA(transA: i32, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let s = 0; s < mc; s += MR) {
    const rows = min(MR, mc - s);
    if (rows < MR) memory.fill(dst, 0, <usize>(kc * MR * 4));
    for (let r = 0; r < rows; r++) {
      const i = i0 + s + r;
      if (transA == 0) {
        const src = at(a, i * lda + p0);
        for (let p = 0; p < kc; p++) store<f32>(at(dst, p * MR + r), load<f32>(at(src, p)));
      } else {
        const src = at(a, p0 * lda + i);
        for (let p = 0; p < kc; p++) store<f32>(at(dst, p * MR + r), load<f32>(at(src, p * lda)));
      }
    }
    dst += <usize>(kc * MR * 4);
  }
}

function packB(transB: i32, b: usize, ldb: i32, j0: i32, nc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let s = 0; s < nc; s += NR) {
    const cols = min(NR, nc - s);
    if (cols < NR) memory.fill(dst, 0, <usize>(kc * NR * 4));
    if (transB == 0) {
      for (let p = 0; p < kc; p++) {
        const src = at(b, (p0 + p) * ldb + j0 + s);
        const d = at(dst, p * NR);
        if (cols == NR) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < cols; c++) store<f32>(at(d, c), load<f32>(at(src, c)));
        }
      }
    } else {
      for (let c = 0; c < cols; c++) {
        const src = at(b, (j0 + s + c) * ldb + p0);
        for (let p = 0; p < kc; p++) store<f32>(at(dst, p * NR + c), load<f32>(at(src, p)));
      }
    }
    dst += <usize>(kc * NR * 4);
  }
}

function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f32, mr: i32, nr: i32): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 16);
    c40 = f32x4.add(c40, f32x4.mul(av, b0));
    c41 = f32x4.add(c41, f32x4.mul(av, b1));
    ap += 20;
    bp += 32;
  }
  const va = f32x4.splat(alpha);
  const full = mr == MR && nr == NR;
  const rowBytes = <usize>(ldc << 2);
  const dst = full ? c : tile;
  const step: usize = full ? rowBytes : 32;
  if (!full) memory.fill(tile, 0, MR * NR * 4);
  let r = dst;
  v128.store(r, f32x4.add(v128.load(r), f32x4.mul(va, c00)));
  v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(va, c01)), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), f32x4.mul(va, c10)));
  v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(va, c11)), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), f32x4.mul(va, c20)));
  v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(va, c21)), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), f32x4.mul(va, c30)));
  v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(va, c31)), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), f32x4.mul(va, c40)));
  v128.store(r, f32x4.add(v128.load(r, 16), f32x4.mul(va, c41)), 16);
  if (!full) {
    for (let i = 0; i < mr; i++) {
      for (let j = 0; j < nr; j++) {
        const ci = at(c, i * ldc + j);
        store<f32>(ci, load<f32>(ci) + load<f32>(at(tile, i * NR + j)));
      }
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
  for (let i = 0; i < m; i++) {
    const row = at(c, i * ldc);
    if (beta == 0) memory.fill(row, 0, <usize>(n * 4));
    else if (beta != 1) for (let j = 0; j < n; j++) store<f32>(at(row, j), beta * load<f32>(at(row, j)));
  }
  if (alpha == 0) return;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packB(transB, b, ldb, j0, nc, p0, kc, packBPtr);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA(transA, a, lda, i0, mc, p0, kc, packAPtr);
        for (let jr = 0; jr < nc; jr += NR) {
          const bp = packBPtr + <usize>((jr / NR) * kc * NR * 4);
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const ap = packAPtr + <usize>((ir / MR) * kc * MR * 4);
            micro(kc, ap, bp, at(c, (i0 + ir) * ldc + j0 + jr), ldc, alpha, min(MR, mc - ir), nr);
          }
        }
      }
    }
  }
}
