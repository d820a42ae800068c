// WebAssembly SIMD128 row and element kernels for the engine's wasm backend (AssemblyScript; compiled into the same
// module as kernels.ts by `npm run build:wasm`). Each is the TypeScript kernel of src/engine/js-kernels.ts with the
// same semantics (which outputs are overwritten and which accumulated, the causal mask, log-sum-exp, reductions
// summed in float64), four floats at a time with a scalar tail, so any width works and no alignment is assumed.
//
// Loop bodies are kept small on purpose: V8 (Node 20) hoists every load of a loop body above its arithmetic (see
// kernels.ts), so a body that loads many vectors spills registers.
//
// All pointers are byte addresses in the imported linear memory; counts are in floats.

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline
function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** dst[0..count) = 0. A loop, not memory.fill: V8 makes that a call into C, which costs more than short rows. */
function zeroFloats(dst: usize, count: i32): void {
  const zero = splat(0);
  let j = 0;
  for (; j + 4 <= count; j += 4) v128.store(at(dst, j), zero);
  for (; j < count; j++) store<f32>(at(dst, j), 0);
}

/** dst[0..count) = src[0..count) (non-overlapping). A loop, not memory.copy, for the same reason. */
function copyFloats(dst: usize, src: usize, count: i32): void {
  let j = 0;
  for (; j + 4 <= count; j += 4) v128.store(at(dst, j), v128.load(at(src, j)));
  for (; j < count; j++) store<f32>(at(dst, j), load<f32>(at(src, j)));
}

@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** The four lanes of v added in float64 onto the two lanes of acc (reductions are summed in float64, as in TS). */
@inline
function addWide(acc: v128, v: v128): v128 {
  // Pairs first, then one add onto acc: one float64 add per step on the loop-carried chain, not two.
  const pairs = f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 1)));
  return f64x2.add(acc, pairs);
}

@inline
function sumWide(acc: v128): f64 {
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/** The largest lane, NaN lanes skipped (as rowMax's comparisons do). */
@inline
function maxLanes(v: v128): f32 {
  const halves = f32x4.pmax(v, i64x2.shuffle(v, v, 1, 1));
  return f32x4.extract_lane(f32x4.pmax(halves, i32x4.shuffle(halves, halves, 1, 1, 1, 1)), 0);
}

/** Below this exp(x) is under the smallest normal float: the result is flushed to 0 (exp(-inf) = 0 as in TS). */
const EXP_MIN: f32 = -87.33654;
/** Above this 2^n would overflow the exponent field; softmax and BCE only pass x <= 0. */
const EXP_MAX: f32 = 88.0;
/** 1.5 * 2^23: adding it rounds a float in (-2^22, 2^22) to an integer, kept in the low mantissa bits. */
const EXP_ROUNDER: f32 = 12582912.0;

// exp's constants as a table: a splat load is one instruction, where V8 builds each v128.const from immediates in
// three or four.
const EXP_CONSTANTS = memory.data<f32>([
  EXP_MIN,
  EXP_MAX,
  1.44269504088896341, // 1 / ln 2
  EXP_ROUNDER,
  0.693359375, // ln 2, high part (n times it is exact)
  -2.12194440e-4, // ln 2, low part
  1.9875691500e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
  1.0,
]);

@inline
function expConstant(index: i32): v128 {
  return v128.load32_splat(EXP_CONSTANTS + (<usize>index << 2));
}

/**
 * exp of four floats, Cephes' expf as in native/rows.cc: x = n ln 2 + r with |r| <= ln 2 / 2 (ln 2 split in two
 * so n ln 2 is exact), a degree-5 polynomial for exp(r), and 2^n built in the exponent bits. ~2 ulp.
 * The clamps use pmin/pmax (one instruction each in V8, and they keep a NaN x: NaN in, NaN out).
 */
@inline
function exp4(x: v128): v128 {
  const underflow = f32x4.lt(x, expConstant(0));
  x = f32x4.pmin(f32x4.pmax(x, expConstant(0)), expConstant(1));
  // n = round(x / ln 2) by adding 1.5 * 2^23, which leaves n in the low mantissa bits (cheaper than V8's
  // nearest + trunc_sat sequences); those bits, shifted, build 2^n below.
  const shifted = madd(x, expConstant(2), expConstant(3));
  const n = f32x4.sub(shifted, expConstant(3));
  x = f32x4.sub(x, f32x4.mul(n, expConstant(4)));
  x = f32x4.sub(x, f32x4.mul(n, expConstant(5)));
  let y = madd(expConstant(6), x, expConstant(7));
  y = madd(y, x, expConstant(8));
  y = madd(y, x, expConstant(9));
  y = madd(y, x, expConstant(10));
  y = madd(y, x, expConstant(11));
  y = madd(y, f32x4.mul(x, x), f32x4.add(x, expConstant(12)));
  const pow2n = i32x4.shl(i32x4.add(shifted, i32x4.splat(127)), 23); // the rounder's own bits shift out
  return v128.andnot(f32x4.mul(y, pow2n), underflow);
}

/** exp of one float with the vector routine, so a row's tail rounds like its body. */
@inline
function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(splat(x)), 0);
}

/**
 * log of four floats in [1, 2] (Cephes' logf): u = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), a degree-9
 * polynomial in f, ln 2 split in two. ~1 ulp.
 */
@inline
function logOneToTwo(u: v128): v128 {
  const high = f32x4.gt(u, splat(1.41421356));
  const k = v128.and(splat(1), high);
  const f = f32x4.sub(v128.bitselect(f32x4.mul(u, splat(0.5)), u, high), splat(1));
  const z = f32x4.mul(f, f);
  let y = madd(splat(7.0376836292e-2), f, splat(-1.1514610310e-1));
  y = madd(y, f, splat(1.1676998740e-1));
  y = madd(y, f, splat(-1.2420140846e-1));
  y = madd(y, f, splat(1.4249322787e-1));
  y = madd(y, f, splat(-1.6668057665e-1));
  y = madd(y, f, splat(2.0000714765e-1));
  y = madd(y, f, splat(-2.4999993993e-1));
  y = madd(y, f, splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, f), z);
  y = madd(k, splat(-2.12194440e-4), y);
  y = madd(z, splat(-0.5), y);
  return madd(k, splat(0.693359375), f32x4.add(f, y));
}

/** log1p(e) for e in [0, 1]: log(1 + e) corrected by e / ((1 + e) - 1) for the rounding of 1 + e (Goldberg). */
@inline
function log1pUnit(e: v128): v128 {
  const u = f32x4.add(e, splat(1));
  const d = f32x4.sub(u, splat(1)); // exact for u in [1, 2]
  const corrected = f32x4.div(f32x4.mul(logOneToTwo(u), e), d);
  return v128.bitselect(e, corrected, f32x4.eq(d, splat(0)));
}

// ---- softmax --------------------------------------------------------------------------------------------------

/**
 * The row's largest entry. pmax (one maxps, where V8 spends several instructions on max's NaN rules) skips NaNs as
 * the TS comparison does; two accumulators halve the loop-carried chain.
 */
function rowMax(x: usize, width: i32): f32 {
  let j = 0;
  let m: f32 = -Infinity;
  if (width >= 8) {
    let even = splat(-Infinity);
    let odd = even;
    for (; j + 8 <= width; j += 8) {
      even = f32x4.pmax(even, v128.load(at(x, j)));
      odd = f32x4.pmax(odd, v128.load(at(x, j), 16));
    }
    m = maxLanes(f32x4.pmax(even, odd));
  }
  for (; j < width; j++) {
    const v = load<f32>(at(x, j));
    if (v > m) m = v;
  }
  return m;
}

/** out[j] = exp(x[j] - shift); returns the sum of the outputs in float64. */
function expRow(x: usize, out: usize, width: i32, shift: f32): f64 {
  const vs = splat(shift);
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= width; j += 4) {
    const e = exp4(f32x4.sub(v128.load(at(x, j)), vs));
    v128.store(at(out, j), e);
    acc = addWide(acc, e);
  }
  let total = sumWide(acc);
  for (; j < width; j++) {
    const e = exp1(load<f32>(at(x, j)) - shift);
    store<f32>(at(out, j), e);
    total += e;
  }
  return total;
}

function scaleInPlace(out: usize, width: i32, factor: f32): void {
  const vf = splat(factor);
  let j = 0;
  for (; j + 4 <= width; j += 4) v128.store(at(out, j), f32x4.mul(v128.load(at(out, j)), vf));
  for (; j < width; j++) store<f32>(at(out, j), load<f32>(at(out, j)) * factor);
}

/**
 * Softmax of each row of x [rows, cols] into out; with `causal` row r sees columns 0..r mod cols and the rest of
 * the row is written 0. lse (0: none) receives each row's log-sum-exp.
 */
export function softmaxRows(x: usize, out: usize, rows: i32, cols: i32, causal: i32, lse: usize): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const width = causal ? (r % cols) + 1 : cols;
    const m = rowMax(at(x, base), width);
    const total = expRow(at(x, base), at(out, base), width, m);
    scaleInPlace(at(out, base), width, <f32>(1 / total));
    if (width < cols) zeroFloats(at(out, base + width), cols - width);
    if (lse) store<f32>(at(lse, r), <f32>(<f64>m + Math.log(total)));
  }
}

/** sum_j a[j] b[j], products in float32 summed in float64. */
function dotRow(a: usize, b: usize, width: i32): f64 {
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= width; j += 4) acc = addWide(acc, f32x4.mul(v128.load(at(a, j)), v128.load(at(b, j))));
  let total = sumWide(acc);
  for (; j < width; j++) total += <f64>(load<f32>(at(a, j)) * load<f32>(at(b, j)));
  return total;
}

/** gx[r, j] += o[r, j] (g[r, j] - sum_j g o) over each row's visible columns. */
export function softmaxBackward(o: usize, g: usize, gx: usize, rows: i32, cols: i32, causal: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const width = causal ? (r % cols) + 1 : cols;
    const or = at(o, base);
    const gr = at(g, base);
    const xr = at(gx, base);
    const dot = <f32>dotRow(gr, or, width);
    const vd = splat(dot);
    let j = 0;
    for (; j + 4 <= width; j += 4) {
      const d = f32x4.mul(v128.load(at(or, j)), f32x4.sub(v128.load(at(gr, j)), vd));
      v128.store(at(xr, j), f32x4.add(v128.load(at(xr, j)), d));
    }
    for (; j < width; j++) store<f32>(at(xr, j), load<f32>(at(xr, j)) + load<f32>(at(or, j)) * (load<f32>(at(gr, j)) - dot));
  }
}

// ---- layer norm -----------------------------------------------------------------------------------------------

function sumRow(x: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) acc = addWide(acc, v128.load(at(x, j)));
  let total = sumWide(acc);
  for (; j < n; j++) total += <f64>load<f32>(at(x, j));
  return total;
}

/** sum_j (x[j] - mean)^2, each difference rounded to float32 and squared in float64. */
function squaredDeviations(x: usize, n: i32, mean: f32): f64 {
  const vm = splat(mean);
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const d = f32x4.sub(v128.load(at(x, j)), vm);
    const lo = f64x2.promote_low_f32x4(d);
    const hi = f64x2.promote_low_f32x4(i64x2.shuffle(d, d, 1, 1));
    acc = f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  let total = sumWide(acc);
  for (; j < n; j++) {
    const d = <f64>(load<f32>(at(x, j)) - mean);
    total += d * d;
  }
  return total;
}

/** xhat = (x - mean) rstd, out = xhat gain + bias for one row. */
function normalizeRow(x: usize, gain: usize, bias: usize, n: i32, mean: f32, rs: f32, out: usize, xhat: usize): void {
  const vm = splat(mean);
  const vr = splat(rs);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const h = f32x4.mul(f32x4.sub(v128.load(at(x, j)), vm), vr);
    v128.store(at(xhat, j), h);
    v128.store(at(out, j), madd(h, v128.load(at(gain, j)), v128.load(at(bias, j))));
  }
  for (; j < n; j++) {
    const h = (load<f32>(at(x, j)) - mean) * rs;
    store<f32>(at(xhat, j), h);
    store<f32>(at(out, j), h * load<f32>(at(gain, j)) + load<f32>(at(bias, j)));
  }
}

/** Layer norm of each row of x [rows, n]; saves xhat and rstd (one per row) for the backward pass. */
export function layerNorm(
  x: usize,
  gain: usize,
  bias: usize,
  rows: i32,
  n: i32,
  eps: f64,
  out: usize,
  xhat: usize,
  rstd: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const mean = <f32>(sumRow(at(x, base), n) / n);
    const variance = squaredDeviations(at(x, base), n, mean) / n;
    const rs = <f32>(1 / Math.sqrt(variance + eps));
    store<f32>(at(rstd, r), rs);
    normalizeRow(at(x, base), gain, bias, n, mean, rs, at(out, base), at(xhat, base));
  }
}

// Scratch for layerNormBackward's two row sums (returned through memory: a function has one result).
const rowSums = memory.data(16, 16);

/** rowSums = [sum_j g gain, sum_j g gain xhat] for one row, products in float32 summed in float64. */
function gainedSums(g: usize, gain: usize, xhat: usize, n: i32): void {
  let accD = f64x2.splat(0);
  let accDH = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const d = f32x4.mul(v128.load(at(g, j)), v128.load(at(gain, j)));
    accD = addWide(accD, d);
    accDH = addWide(accDH, f32x4.mul(d, v128.load(at(xhat, j))));
  }
  let sumD = sumWide(accD);
  let sumDH = sumWide(accDH);
  for (; j < n; j++) {
    const d = load<f32>(at(g, j)) * load<f32>(at(gain, j));
    sumD += d;
    sumDH += d * load<f32>(at(xhat, j));
  }
  store<f64>(rowSums, sumD);
  store<f64>(rowSums, sumDH, 8);
}

/** acc[j] += a[j] * b[j]. */
function addProducts(a: usize, b: usize, acc: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(acc, j), madd(v128.load(at(a, j)), v128.load(at(b, j)), v128.load(at(acc, j))));
  for (; j < n; j++) store<f32>(at(acc, j), load<f32>(at(acc, j)) + load<f32>(at(a, j)) * load<f32>(at(b, j)));
}

/** acc[j] += sign * a[j]. */
function addScaled(a: usize, sign: f32, acc: usize, n: i32): void {
  const vs = splat(sign);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(acc, j), madd(vs, v128.load(at(a, j)), v128.load(at(acc, j))));
  for (; j < n; j++) store<f32>(at(acc, j), load<f32>(at(acc, j)) + sign * load<f32>(at(a, j)));
}

/** gx[j] += rs (g gain - mD - xhat mDH) for one row. */
function layerNormInputGradient(g: usize, gain: usize, xhat: usize, n: i32, rs: f32, mD: f32, mDH: f32, gx: usize): void {
  const vr = splat(rs);
  const vd = splat(mD);
  const vdh = splat(mDH);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const centred = f32x4.sub(f32x4.mul(v128.load(at(g, j)), v128.load(at(gain, j))), vd);
    const t = f32x4.sub(centred, f32x4.mul(v128.load(at(xhat, j)), vdh));
    v128.store(at(gx, j), madd(vr, t, v128.load(at(gx, j))));
  }
  for (; j < n; j++) {
    const t = load<f32>(at(g, j)) * load<f32>(at(gain, j)) - mD - load<f32>(at(xhat, j)) * mDH;
    store<f32>(at(gx, j), load<f32>(at(gx, j)) + rs * t);
  }
}

/** Layer norm's backward; gx, gg, gb are accumulated and skipped when 0. */
export function layerNormBackward(
  g: usize,
  xhat: usize,
  rstd: usize,
  gain: usize,
  rows: i32,
  n: i32,
  gx: usize,
  gg: usize,
  gb: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const gr = at(g, base);
    const hr = at(xhat, base);
    if (gg) addProducts(gr, hr, gg, n);
    if (gb) addScaled(gr, 1, gb, n);
    if (!gx) continue;
    gainedSums(gr, gain, hr, n);
    const mD = <f32>(load<f64>(rowSums) / n);
    const mDH = <f32>(load<f64>(rowSums, 8) / n);
    layerNormInputGradient(gr, gain, hr, n, load<f32>(at(rstd, r)), mD, mDH, at(gx, base));
  }
}

// ---- element-wise ---------------------------------------------------------------------------------------------

/** out = max(x, 0) (NaN stays NaN, as Math.max). */
export function relu(x: usize, out: usize, n: i32): void {
  const zero = splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.max(v128.load(at(x, i)), zero));
  for (; i < n; i++) store<f32>(at(out, i), max(load<f32>(at(x, i)), 0));
}

/** gx += g where x > 0: a mask, not a branch or a product (g's NaNs elsewhere must not leak in). */
export function reluBackward(x: usize, g: usize, gx: usize, n: i32): void {
  const zero = splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const passed = v128.and(v128.load(at(g, i)), f32x4.gt(v128.load(at(x, i)), zero));
    v128.store(at(gx, i), f32x4.add(v128.load(at(gx, i)), passed));
  }
  for (; i < n; i++) if (load<f32>(at(x, i)) > 0) store<f32>(at(gx, i), load<f32>(at(gx, i)) + load<f32>(at(g, i)));
}

/** y += alpha x. */
export function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  addScaled(x, alpha, y, n);
}

/** out = alpha x. */
export function scale(alpha: f32, x: usize, out: usize, n: i32): void {
  const va = splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.mul(va, v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(out, i), alpha * load<f32>(at(x, i)));
}

/** out[r nb + j] = x[r nb + j] + sign y[j] for the n / nb rows. */
export function addRows(x: usize, y: usize, sign: f32, out: usize, n: i32, nb: i32): void {
  const vs = splat(sign);
  for (let base = 0; base < n; base += nb) {
    const xr = at(x, base);
    const or = at(out, base);
    let j = 0;
    for (; j + 4 <= nb; j += 4) v128.store(at(or, j), madd(vs, v128.load(at(y, j)), v128.load(at(xr, j))));
    for (; j < nb; j++) store<f32>(at(or, j), load<f32>(at(xr, j)) + sign * load<f32>(at(y, j)));
  }
}

/** gy[j] += sign g[r nb + j] for every row r, row by row as in TS. */
export function sumRows(g: usize, sign: f32, gy: usize, n: i32, nb: i32): void {
  for (let base = 0; base < n; base += nb) addScaled(at(g, base), sign, gy, nb);
}

/** One Adam update (f32 arithmetic, as the native kernel): see optim.ts for the constants. */
export function adamStep(
  w: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  beta1: f32,
  beta2: f32,
  stepSize: f32,
  rootC2: f32,
  eps: f32,
  l2: f32,
  shrink: f32,
): void {
  const vl2 = splat(l2);
  const vb1 = splat(beta1);
  const vc1 = splat(1 - beta1);
  const vb2 = splat(beta2);
  const vc2 = splat(1 - beta2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const wi = v128.load(at(w, i));
    const gi = madd(vl2, wi, v128.load(at(g, i)));
    const mi = madd(vb1, v128.load(at(m, i)), f32x4.mul(vc1, gi));
    const vi = madd(vb2, v128.load(at(v, i)), f32x4.mul(vc2, f32x4.mul(gi, gi)));
    v128.store(at(m, i), mi);
    v128.store(at(v, i), vi);
    const denominator = f32x4.add(f32x4.div(f32x4.sqrt(vi), splat(rootC2)), splat(eps));
    const update = f32x4.div(f32x4.mul(splat(stepSize), mi), denominator);
    v128.store(at(w, i), f32x4.sub(f32x4.mul(wi, splat(shrink)), update));
  }
  for (; i < n; i++) {
    const wi = load<f32>(at(w, i));
    const gi = load<f32>(at(g, i)) + l2 * wi;
    const mi = beta1 * load<f32>(at(m, i)) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(at(v, i)) + (1 - beta2) * gi * gi;
    store<f32>(at(m, i), mi);
    store<f32>(at(v, i), vi);
    store<f32>(at(w, i), wi * shrink - (stepSize * mi) / (Mathf.sqrt(vi) / rootC2 + eps));
  }
}

// ---- fused sigmoid + binary cross-entropy ---------------------------------------------------------------------

/** sigmoid(x) from e = exp(-|x|) in (0, 1]: no overflow either way. */
@inline
function sigmoidFrom(x: v128, e: v128): v128 {
  const inv = f32x4.div(splat(1), f32x4.add(splat(1), e));
  return v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(x, splat(0)));
}

/** The stable loss max(x, 0) - x t + log1p(exp(-|x|)), given e = exp(-|x|). */
@inline
function bceTerm(x: v128, t: v128, e: v128): v128 {
  return f32x4.add(f32x4.sub(f32x4.max(x, splat(0)), f32x4.mul(x, t)), log1pUnit(e));
}

/** Writes p = sigmoid(x) and returns the summed binary cross-entropy against t (float64 sum). */
export function sigmoidBce(x: usize, t: usize, p: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xi = v128.load(at(x, i));
    const e = exp4(f32x4.neg(f32x4.abs(xi)));
    v128.store(at(p, i), sigmoidFrom(xi, e));
    acc = addWide(acc, bceTerm(xi, v128.load(at(t, i)), e));
  }
  let total = sumWide(acc);
  for (; i < n; i++) {
    const xi = splat(load<f32>(at(x, i)));
    const e = exp4(f32x4.neg(f32x4.abs(xi)));
    store<f32>(at(p, i), f32x4.extract_lane(sigmoidFrom(xi, e), 0));
    total += <f64>f32x4.extract_lane(bceTerm(xi, splat(load<f32>(at(t, i))), e), 0);
  }
  return total;
}

// ---- convolution layouts --------------------------------------------------------------------------------------

/**
 * The convolution's geometry, written by the host before im2col/col2im (ten i32: n, c, h, w, kh, kw, stride, pad,
 * oh, ow), so the calls keep a short signature.
 */
export const CONV_GEOMETRY: usize = memory.data(64, 16);

// The output columns [lo, hi) whose input column oj * stride + shift lies inside [0, w), found in validColumns.
let columnsLo: i32 = 0;
let columnsHi: i32 = 0;

/** Hoisting the padding test out of the copy loops leaves them branch-free (as native/rows.cc does). */
function validColumns(w: i32, ow: i32, stride: i32, shift: i32): void {
  let lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  let hi = w - 1 - shift < 0 ? 0 : (w - 1 - shift) / stride + 1;
  lo = min(lo, ow);
  columnsLo = lo;
  columnsHi = max(lo, min(hi, ow));
}

/** dst[oj] = src[oj * stride] for oj in [lo, hi), 0 outside; src is already shifted by the kernel column. */
function gatherRow(src: usize, dst: usize, ow: i32, stride: i32, lo: i32, hi: i32): void {
  zeroFloats(dst, lo);
  let oj = lo;
  if (stride == 1) {
    copyFloats(at(dst, lo), at(src, lo), hi - lo);
  } else if (stride == 2) {
    // The even lanes of two vectors: four outputs per step, reading only inputs of valid columns (2 oj + 7 < 2 hi - 1).
    for (; oj + 5 <= hi; oj += 4) {
      const a = v128.load(at(src, 2 * oj));
      const b = v128.load(at(src, 2 * oj + 4));
      v128.store(at(dst, oj), i32x4.shuffle(a, b, 0, 2, 4, 6));
    }
    for (; oj < hi; oj++) store<f32>(at(dst, oj), load<f32>(at(src, 2 * oj)));
  } else {
    for (; oj < hi; oj++) store<f32>(at(dst, oj), load<f32>(at(src, oj * stride)));
  }
  zeroFloats(at(dst, hi), ow - hi);
}

/** Image patches to columns: cols[(c, ki, kj), (n, oi, oj)], 0 where the patch lies in the padding. */
export function im2col(x: usize, cols: usize): void {
  const n = load<i32>(CONV_GEOMETRY, 0);
  const c = load<i32>(CONV_GEOMETRY, 4);
  const h = load<i32>(CONV_GEOMETRY, 8);
  const w = load<i32>(CONV_GEOMETRY, 12);
  const kh = load<i32>(CONV_GEOMETRY, 16);
  const kw = load<i32>(CONV_GEOMETRY, 20);
  const stride = load<i32>(CONV_GEOMETRY, 24);
  const pad = load<i32>(CONV_GEOMETRY, 28);
  const oh = load<i32>(CONV_GEOMETRY, 32);
  const ow = load<i32>(CONV_GEOMETRY, 36);
  const P = oh * ow;
  const NP = n * P;
  for (let ch = 0; ch < c; ch++)
    for (let ki = 0; ki < kh; ki++)
      for (let kj = 0; kj < kw; kj++) {
        const row = at(cols, ((ch * kh + ki) * kw + kj) * NP);
        const shift = kj - pad;
        validColumns(w, ow, stride, shift);
        const lo = columnsLo;
        const hi = columnsHi;
        for (let img = 0; img < n; img++) {
          const plane = (img * c + ch) * h * w;
          for (let oi = 0; oi < oh; oi++) {
            const ih = oi * stride - pad + ki;
            const dst = at(row, img * P + oi * ow);
            if (ih < 0 || ih >= h) zeroFloats(dst, ow);
            // src points at input column `shift` of the row (possibly before it: only [lo, hi) is read).
            else gatherRow(at(x, plane + ih * w) + (<usize>shift << 2), dst, ow, stride, lo, hi);
          }
        }
      }
}

/** dst[oj * stride] += src[oj] for oj in [lo, hi). */
function scatterAddRow(src: usize, dst: usize, stride: i32, lo: i32, hi: i32): void {
  if (stride == 1) {
    addScaled(at(src, lo), 1, at(dst, lo), hi - lo);
    return;
  }
  let oj = lo;
  if (stride == 2) {
    // Four sources interleaved with zeros onto eight pixels; the odd ones get + 0 (a -0 there becomes +0). The
    // last pixel touched, 2 oj + 7, stays left of the last valid one, 2 (hi - 1), so the row is never left.
    const zero = splat(0);
    for (; oj + 5 <= hi; oj += 4) {
      const s = v128.load(at(src, oj));
      const d = at(dst, 2 * oj);
      v128.store(d, f32x4.add(v128.load(d), i32x4.shuffle(s, zero, 0, 4, 1, 5)));
      v128.store(d, f32x4.add(v128.load(d, 16), i32x4.shuffle(s, zero, 2, 6, 3, 7)), 16);
    }
  }
  for (; oj < hi; oj++) {
    const d = at(dst, oj * stride);
    store<f32>(d, load<f32>(d) + load<f32>(at(src, oj)));
  }
}

/** The adjoint of im2col: adds every column entry onto the pixel it came from. */
export function col2im(cols: usize, x: usize): void {
  const n = load<i32>(CONV_GEOMETRY, 0);
  const c = load<i32>(CONV_GEOMETRY, 4);
  const h = load<i32>(CONV_GEOMETRY, 8);
  const w = load<i32>(CONV_GEOMETRY, 12);
  const kh = load<i32>(CONV_GEOMETRY, 16);
  const kw = load<i32>(CONV_GEOMETRY, 20);
  const stride = load<i32>(CONV_GEOMETRY, 24);
  const pad = load<i32>(CONV_GEOMETRY, 28);
  const oh = load<i32>(CONV_GEOMETRY, 32);
  const ow = load<i32>(CONV_GEOMETRY, 36);
  const P = oh * ow;
  const NP = n * P;
  for (let ch = 0; ch < c; ch++)
    for (let ki = 0; ki < kh; ki++)
      for (let kj = 0; kj < kw; kj++) {
        const row = at(cols, ((ch * kh + ki) * kw + kj) * NP);
        const shift = kj - pad;
        validColumns(w, ow, stride, shift);
        const lo = columnsLo;
        const hi = columnsHi;
        for (let img = 0; img < n; img++) {
          const plane = (img * c + ch) * h * w;
          for (let oi = 0; oi < oh; oi++) {
            const ih = oi * stride - pad + ki;
            if (ih < 0 || ih >= h) continue;
            scatterAddRow(at(row, img * P + oi * ow), at(x, plane + ih * w) + (<usize>shift << 2), stride, lo, hi);
          }
        }
      }
}

/** x [N, C, P] -> out [C, N P]. */
export function toChannelMajor(x: usize, n: i32, c: i32, p: i32, out: usize): void {
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) copyFloats(at(out, (ch * n + i) * p), at(x, (i * c + ch) * p), p);
}

/** dst[j] += src[j] + b. */
function addRowWithBias(src: usize, b: f32, dst: usize, p: i32): void {
  const vb = splat(b);
  let j = 0;
  for (; j + 4 <= p; j += 4)
    v128.store(at(dst, j), f32x4.add(v128.load(at(dst, j)), f32x4.add(v128.load(at(src, j)), vb)));
  for (; j < p; j++) store<f32>(at(dst, j), load<f32>(at(dst, j)) + (load<f32>(at(src, j)) + b));
}

/** out [N, C, P] += y [C, N P] + bias[c] (bias 0: none). */
export function addFromChannelMajor(y: usize, n: i32, c: i32, p: i32, bias: usize, out: usize): void {
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) {
      const b: f32 = bias ? load<f32>(at(bias, ch)) : 0;
      addRowWithBias(at(y, (ch * n + i) * p), b, at(out, (i * c + ch) * p), p);
    }
}

/** gb[c] += sum of g [N, C, P] over n and p; each (n, c) row summed in float64 and added in, as in TS. */
export function channelSums(g: usize, n: i32, c: i32, p: i32, gb: usize): void {
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) {
      const acc = sumRow(at(g, (i * c + ch) * p), p);
      store<f32>(at(gb, ch), <f32>(<f64>load<f32>(at(gb, ch)) + acc));
    }
}

/** dst[j] += b. */
function addConstant(dst: usize, b: f32, p: i32): void {
  const vb = splat(b);
  let j = 0;
  for (; j + 4 <= p; j += 4) v128.store(at(dst, j), f32x4.add(v128.load(at(dst, j)), vb));
  for (; j < p; j++) store<f32>(at(dst, j), load<f32>(at(dst, j)) + b);
}

/** out [N, C, P] += bias[c]. */
export function addChannelBias(out: usize, n: i32, c: i32, p: i32, bias: usize): void {
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) addConstant(at(out, (i * c + ch) * p), load<f32>(at(bias, ch)), p);
}

// ---- permute --------------------------------------------------------------------------------------------------

/** The permutation's output shape and input strides (rank i32 each), written by the host before permute. */
export const PERMUTE_ARGS: usize = memory.data(128, 16);
/** The most dimensions PERMUTE_ARGS holds. */
export const PERMUTE_MAX_RANK: i32 = 8;
// The odometer over the outer output dimensions.
const permuteIndex = memory.data(32, 16);

/** One output row of a permutation: copy forward, or add back into the strided input. */
function permuteRow(o: usize, xi: usize, innerN: i32, innerS: i32, backward: i32): void {
  if (!backward && innerS == 1) copyFloats(o, xi, innerN);
  else if (!backward) for (let j = 0; j < innerN; j++) store<f32>(at(o, j), load<f32>(at(xi, j * innerS)));
  else if (innerS == 1) addScaled(o, 1, xi, innerN);
  else
    for (let j = 0; j < innerN; j++) {
      const d = at(xi, j * innerS);
      store<f32>(d, load<f32>(d) + load<f32>(at(o, j)));
    }
}

/**
 * Walks the contiguous output o row by row (innermost output dimension): forward copies the strided input x into
 * o, backward adds o back into x. PERMUTE_ARGS holds the output shape then the input stride of each output dimension.
 */
export function permute(x: usize, rank: i32, total: i32, o: usize, backward: i32): void {
  if (total == 0) return;
  const shape = PERMUTE_ARGS;
  const strides = PERMUTE_ARGS + 4 * PERMUTE_MAX_RANK;
  const last = rank - 1;
  const innerN = load<i32>(at(shape, last));
  const innerS = load<i32>(at(strides, last));
  memory.fill(permuteIndex, 0, 32);
  let inBase = 0;
  for (let row = 0; row < total; row += innerN) {
    permuteRow(at(o, row), at(x, inBase), innerN, innerS, backward);
    for (let d = last - 1; d >= 0; d--) {
      const idx = at(permuteIndex, d);
      const next = load<i32>(idx) + 1;
      const stride = load<i32>(at(strides, d));
      inBase += stride;
      if (next < load<i32>(at(shape, d))) {
        store<i32>(idx, next);
        break;
      }
      inBase -= next * stride;
      store<i32>(idx, 0);
    }
  }
}
