// The gmm family's E-step for two components in 2-D (the paper's GMM, refitted 2,001 times per run), in
// WebAssembly SIMD128 (AssemblyScript; built by `npm run build:wasm`, embedded by scripts/embed-gmm-wasm.mjs).
// It is bit-identical to EmState.expectation's TypeScript path (src/families/gmm/em.ts), which stays the
// reference: the same IEEE operations in the same order, lanes holding either the two components of one point
// (log densities, statistics: each component's sums still take its points in order) or two points (the exp).
// exp is fdlibm's (src/numeric/libm.ts), its branches turned into lane selects where they give the same bits.
//
// Memory layout (byte offsets): the caller writes the points at X, and the 12 parameters at PARAMS; the
// kernel leaves responsibilities at X + 16n and the 12 statistics at PARAMS + 96.

const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
const INV_LN2: f64 = 1.4426950408889634;
const P1: f64 = 0.16666666666666602;
const P2: f64 = -0.0027777777777015593;
const P3: f64 = 0.00006613756321437934;
const P4: f64 = -0.0000016533902205465252;
const P5: f64 = 4.1381367970572385e-8;
const EXP_OVERFLOW: f64 = 709.782712893384;
const EXP_UNDERFLOW: f64 = -745.1332191019411;
const TWO_M1000: f64 = 9.332636185032189e-302;

@inline
function highWord(high: u64): f64 {
  return reinterpret<f64>(high << 32);
}

@inline
function twoPow(k: i32): f64 {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

/** libm.ts exp, operation for operation (any x). */
function expScalar(x: f64): f64 {
  const a = Math.abs(x);
  if (!(a < highWord(0x40862e42))) {
    if (isNaN(x)) return x;
    if (x > EXP_OVERFLOW) return Infinity;
    if (x < EXP_UNDERFLOW) return 0;
  }
  const negative = x < 0;
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (a >= highWord(0x3fd62e43)) {
    if (a < highWord(0x3ff0a2b2)) {
      k = negative ? -1 : 1;
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
    } else {
      k = <i32>(INV_LN2 * x + (negative ? -0.5 : 0.5));
      hi = x - <f64>k * LN2_HI;
      lo = <f64>k * LN2_LO;
    }
    x = hi - lo;
  } else if (a < highWord(0x3e300000)) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) return k === 1024 ? y * 2 * highWord(0x7fe00000) : y * twoPow(k);
  return y * twoPow(k + 1000) * TWO_M1000;
}

const TWO54: f64 = 18014398509481984;
const LG1: f64 = 0.6666666666666735;
const LG2: f64 = 0.3999999999940942;
const LG3: f64 = 0.2857142874366239;
const LG4: f64 = 0.22222198432149784;
const LG5: f64 = 0.1818357216161805;
const LG6: f64 = 0.15313837699209373;
const LG7: f64 = 0.14798198605116586;

@inline
function withHighWord(x: f64, high: i32): f64 {
  return reinterpret<f64>((reinterpret<u64>(x) & 0xffffffff) | (<u64>(<u32>high) << 32));
}

/** libm.ts log, operation for operation (Math.log here is AssemblyScript's, which rounds differently). */
function logScalar(x: f64): f64 {
  let hx = <i32>(reinterpret<u64>(x) >> 32);
  const lx = <u32>reinterpret<u64>(x);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = <i32>(reinterpret<u64>(x) >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  if (hx === 0x3ff00000 && <u32>reinterpret<u64>(x) === 0) return 0;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  const f = withHighWord(x, hx | (i ^ 0x3ff00000)) - 1;
  k += i >> 20;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.3333333333333333 * f);
    return k === 0 ? f - r : dk * LN2_HI - (r - dk * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - (hfsq - (s * (hfsq + r) + dk * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - r) : dk * LN2_HI - (s * (f - r) - dk * LN2_LO - f);
}

/**
 * exp of two lanes, both ≤ 0: fdlibm's general reduction for every lane (it gives the same bits as its k = 0
 * and k = ±1 shortcuts, with k forced to 0 below ½ ln 2 as fdlibm's threshold does); lanes that are tiny,
 * beyond −708 (subnormal results) or NaN go to expScalar.
 */
@inline
function expNonPositive2(x: v128): v128 {
  const a = f64x2.neg(x);
  const safe = v128.and(f64x2.lt(a, f64x2.splat(708)), f64x2.ge(a, f64x2.splat(highWord(0x3e300000))));
  if (!i64x2.all_true(safe)) {
    return f64x2.replace_lane(
      f64x2.splat(expScalar(f64x2.extract_lane(x, 0))),
      1,
      expScalar(f64x2.extract_lane(x, 1)),
    );
  }
  const reduce = f64x2.ge(a, f64x2.splat(highWord(0x3fd62e43)));
  const k = v128.and(f64x2.trunc(f64x2.sub(f64x2.mul(f64x2.splat(INV_LN2), x), f64x2.splat(0.5))), reduce);
  const hi = f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(k, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)));
  p = f64x2.add(f64x2.splat(P3), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P2), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P1), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2), c));
  const y = f64x2.sub(f64x2.splat(1), f64x2.sub(f64x2.sub(lo, q), hi));
  // 2^k from its exponent bits: k is in [−1021, 0] here, so the result is a normal number.
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return f64x2.mul(y, scale);
}

/**
 * One E-step: responsibilities of the n points at x (row-major pairs) into x + 16n, the statistics into
 * params + 96 as [nA, nB, ΣxA, ΣxB, ΣyA, ΣyB, ΣxxA, ΣxxB, ΣyxA, ΣyxB, ΣyyA, ΣyyB], and Σ_i log Σ_j p_ij returned.
 * params: [p00A, p00B, p10A, p10B, p11A, p11B, μxA, μxB, μyA, μyB, cA, cB] (inverse Cholesky factors, means,
 * log normalisers), each pair one vector.
 */
export function estepTwoByTwo(x: usize, n: i32, params: usize): f64 {
  const resp = x + (<usize>n << 4);
  const p00 = v128.load(params);
  const p10 = v128.load(params, 16);
  const p11 = v128.load(params, 32);
  const mx = v128.load(params, 48);
  const my = v128.load(params, 64);
  const c = v128.load(params, 80);
  const half = f64x2.splat(0.5);
  // Log densities, lanes = the two components of one point: resp holds [a_i, b_i].
  for (let i = 0; i < n; i++) {
    const at = x + (<usize>i << 4);
    const u = f64x2.sub(v128.load64_splat(at), mx);
    const v = f64x2.sub(v128.load64_splat(at, 8), my);
    const y0 = f64x2.mul(p00, u);
    const y1 = f64x2.add(f64x2.mul(p10, u), f64x2.mul(p11, v));
    v128.store(resp + (<usize>i << 4), f64x2.sub(c, f64x2.mul(half, f64x2.add(f64x2.mul(y0, y0), f64x2.mul(y1, y1)))));
  }
  // Responsibilities, lanes = two points (normaliseLogRows2); the running sum and product stay in point order.
  let total: f64 = 0;
  let product: f64 = 1;
  let inChunk = 0;
  const one = f64x2.splat(1);
  for (let i = 0; i < n; i += 2) {
    const pair = i + 1 < n;
    const at = resp + (<usize>i << 4);
    const first = v128.load(at);
    const second = pair ? v128.load(at, 16) : first;
    const a = i64x2.shuffle(first, second, 0, 2);
    const b = i64x2.shuffle(first, second, 1, 3);
    const e = expNonPositive2(f64x2.neg(f64x2.abs(f64x2.sub(a, b))));
    const sum = f64x2.add(one, e);
    const rBig = f64x2.div(one, sum);
    const rSmall = f64x2.mul(e, rBig);
    const aWins = f64x2.gt(a, b);
    const ra = v128.bitselect(rBig, rSmall, aWins);
    const rb = v128.bitselect(rSmall, rBig, aWins);
    const big = f64x2.max(a, b);
    v128.store(at, i64x2.shuffle(ra, rb, 0, 2));
    total += f64x2.extract_lane(big, 0);
    product *= f64x2.extract_lane(sum, 0);
    if (++inChunk === 900) {
      total += logScalar(product);
      product = 1;
      inChunk = 0;
    }
    if (!pair) break;
    v128.store(at, i64x2.shuffle(ra, rb, 1, 3), 16);
    total += f64x2.extract_lane(big, 1);
    product *= f64x2.extract_lane(sum, 1);
    if (++inChunk === 900) {
      total += logScalar(product);
      product = 1;
      inChunk = 0;
    }
  }
  // Statistics, lanes = components again (gather2, both components at once).
  let nk = f64x2.splat(0);
  let sx = nk;
  let sy = nk;
  let sxx = nk;
  let syx = nk;
  let syy = nk;
  for (let i = 0; i < n; i++) {
    const at = x + (<usize>i << 4);
    const x0 = v128.load64_splat(at);
    const x1 = v128.load64_splat(at, 8);
    const r = v128.load(resp + (<usize>i << 4));
    const rx0 = f64x2.mul(r, x0);
    const rx1 = f64x2.mul(r, x1);
    nk = f64x2.add(nk, r);
    sx = f64x2.add(sx, rx0);
    sy = f64x2.add(sy, rx1);
    sxx = f64x2.add(sxx, f64x2.mul(rx0, x0));
    syx = f64x2.add(syx, f64x2.mul(rx1, x0));
    syy = f64x2.add(syy, f64x2.mul(rx1, x1));
  }
  v128.store(params, nk, 96);
  v128.store(params, sx, 112);
  v128.store(params, sy, 128);
  v128.store(params, sxx, 144);
  v128.store(params, syx, 160);
  v128.store(params, syy, 176);
  return total + logScalar(product);
}

/** dst[i] = exp(src[i]) for count values ≤ 0, by the E-step's two-lane exp (for the tests against libm.ts). */
export function expNonPositiveInto(src: usize, dst: usize, count: i32): void {
  for (let i = 0; i + 1 < count; i += 2) {
    v128.store(dst + (<usize>i << 3), expNonPositive2(v128.load(src + (<usize>i << 3))));
  }
  if (count & 1) {
    const last = <usize>(count - 1) << 3;
    store<f64>(dst + last, f64x2.extract_lane(expNonPositive2(v128.load64_splat(src + last)), 0));
  }
}
