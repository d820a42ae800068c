/**
 * exp, log, pow, sin, cos and friends that give the same bits in every JavaScript engine. `Math.exp` and friends are only
 * "implementation-approximated" by the standard, and V8 changed them: Node 20 and Chromium 156 disagree in the
 * last bit of Math.exp, Math.log and `**` for a sizeable share of inputs, so a run in the browser drifted from
 * the same run in the CLI. exp, log, sin and cos follow fdlibm (Sun Microsystems, 1993: error < 1 ulp), written
 * only with IEEE-754 +, −, ×, ÷ and bit moves, which every engine rounds alike; pow, log1p, expm1 and tanh are
 * built on them. The numeric code a browser runs uses these, never Math's (src/playground/playground.test.ts).
 *
 * Speed (Node 20, a tight loop of 5M calls): exp 1.4× and log 3.5× the time of Math's, which V8 calls in C; in
 * the loop as a whole the difference is lost in the noise (2,000 gmm generations: 3.5 s against 4.0 s before).
 */

// One shared 8-byte buffer for moving a double's words; engines are little-endian on every platform Node and
// browsers run on (word 1 is the high word). Checked once, here.
const float = new Float64Array(1);
const words = new Int32Array(float.buffer);
float[0] = 1;
if (words[1] !== 0x3ff00000) throw new Error('collapse-lab: libm needs a little-endian platform');

const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = Math.LOG2E; // fdlibm's invln2, the same double
const EXP_OVERFLOW = 709.782712893384;
const EXP_UNDERFLOW = -745.1332191019411;
const P1 = 0.16666666666666602;
const P2 = -0.0027777777777015593;
const P3 = 0.00006613756321437934;
const P4 = -0.0000016533902205465252;
const P5 = 4.1381367970572385e-8;
const TWO_M1000 = 9.332636185032189e-302; // 2^-1000

/** 2^k for k in [−1022, 1023], built by bit moves (exact). */
const TWO_POW = new Float64Array(2046);
for (let k = -1022; k <= 1023; k++) {
  words[1] = (0x3ff + k) << 20;
  words[0] = 0;
  TWO_POW[k + 1022] = float[0];
}

/** The double whose high word is `high` and low word 0: fdlibm's thresholds, compared as numbers. */
function fromHighWord(high: number): number {
  words[1] = high;
  words[0] = 0;
  return float[0];
}
// |x| ≥ these ⇔ fdlibm's high-word tests (the bit moves cost more than the rest of a small exp).
const EXP_BIG = fromHighWord(0x40862e42); // ≈ 709.78: overflow or underflow possible
const EXP_REDUCE = fromHighWord(0x3fd62e43); // > ½ ln 2: reduce
const EXP_ONE_STEP = fromHighWord(0x3ff0a2b2); // < 1.5 ln 2: k = ±1
const EXP_TINY = fromHighWord(0x3e300000); // 2^-28

/** e^x, within 1 ulp (fdlibm e_exp.c): x = k ln 2 + r, |r| ≤ ½ ln 2, and a rational approximation of e^r. */
export function exp(x: number): number {
  const a = Math.abs(x);
  if (!(a < EXP_BIG)) {
    if (Number.isNaN(x)) return x;
    if (x > EXP_OVERFLOW) return Number.POSITIVE_INFINITY;
    if (x < EXP_UNDERFLOW) return 0;
  }
  const negative = x < 0;
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (a >= EXP_REDUCE) {
    if (a < EXP_ONE_STEP) {
      k = negative ? -1 : 1;
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
    } else {
      k = (INV_LN2 * x + (negative ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (a < EXP_TINY) {
    return 1 + x; // e^x rounds to 1 + x
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) return k === 1024 ? y * 2 * TWO_POW[1023 + 1022] : y * TWO_POW[k + 1022];
  return y * TWO_POW[k + 1000 + 1022] * TWO_M1000;
}

const TWO54 = 18014398509481984;
const LG1 = 0.6666666666666735;
const LG2 = 0.3999999999940942;
const LG3 = 0.2857142874366239;
const LG4 = 0.22222198432149784;
const LG5 = 0.1818357216161805;
const LG6 = 0.15313837699209373;
const LG7 = 0.14798198605116586;

/** ln x, within 1 ulp (fdlibm e_log.c): x = 2^k (1 + f) with √2/2 < 1 + f < √2, and a polynomial in s = f/(2+f). */
export function log(x: number): number {
  float[0] = x;
  let hx = words[1];
  const lx = words[0];
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022: zero, negative, or subnormal
    if (((hx & 0x7fffffff) | lx) === 0) return Number.NEGATIVE_INFINITY;
    if (hx < 0) return Number.NaN;
    k -= 54;
    float[0] = x * TWO54; // scale the subnormal up
    hx = words[1];
  }
  if (hx >= 0x7ff00000) return x + x; // +∞ or NaN
  if (hx === 0x3ff00000 && words[0] === 0) return 0;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  words[1] = hx | (i ^ 0x3ff00000); // normalise x or x/2 into [√2/2, √2)
  k += i >> 20;
  const f = float[0] - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // −2^-20 ≤ f < 2^-20
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
 * x^y. Integer exponents up to 2^31 by repeated squaring (exact for small powers of exact values, and within
 * about log₂|y| ulp), others as e^(y ln x) (relative error about |y ln x| ulp); the special cases as Math.pow.
 */
export function pow(x: number, y: number): number {
  if (y === 0) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (!Number.isFinite(y) || !Number.isFinite(x)) return x ** y; // the infinite cases are exact in every engine
  if (Number.isInteger(y) && Math.abs(y) <= 2147483648) {
    let n = Math.abs(y);
    let base = x;
    let result = 1;
    while (n > 0) {
      if (n % 2 === 1) result *= base;
      n = Math.floor(n / 2);
      if (n > 0) base *= base;
    }
    return y < 0 ? 1 / result : result;
  }
  if (x < 0) return Number.isInteger(y) ? (Number.isInteger(y / 2) ? 1 : -1) * exp(y * log(-x)) : Number.NaN;
  if (x === 0) return y > 0 ? 0 : Number.POSITIVE_INFINITY;
  return exp(y * log(x));
}

/** ln(1 + x), accurate for tiny x (Goldberg's trick: exact when 1 + x rounds to 1, else scaled by x/(u − 1)). */
export function log1p(x: number): number {
  const u = 1 + x;
  if (u === 1) return x;
  if (u === Number.POSITIVE_INFINITY) return u;
  return (log(u) * x) / (u - 1);
}

/** e^x − 1, accurate for tiny x (Kahan: exact when e^x rounds to 1, else (u − 1)·x/ln u). */
export function expm1(x: number): number {
  const u = exp(x);
  if (u === 1) return x;
  const um1 = u - 1;
  if (um1 === -1) return -1;
  if (!Number.isFinite(u)) return u;
  return (um1 * x) / log(u);
}

/** tanh x = expm1(2x) / (expm1(2x) + 2), odd; ±1 beyond |x| = 22, where it rounds to ±1. */
export function tanh(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a > 22) return x > 0 ? 1 : -1;
  const t = expm1(2 * a);
  const y = t / (t + 2);
  return x < 0 ? -y : y;
}

// sin and cos: the argument reduced by Cody–Waite to r ∈ [−π/4, π/4] with n quarter turns (fdlibm's medium
// range, |x| < 2^20·π/2, which covers every angle the library takes), then fdlibm's kernel polynomials.
const INV_PIO2 = 0.6366197723675814;
const PIO2_1 = 1.5707963267341256; // the first 33 bits of π/2
const PIO2_1T = 6.077100506506192e-11; // π/2 − PIO2_1
const PIO2_2 = 6.077100506303966e-11; // the next 33 bits
const PIO2_2T = 2.0222662487959506e-21;
const PIO2_3 = 2.0222662487111665e-21; // and the next
const PIO2_3T = 8.4784276603689e-32;
const MEDIUM_LIMIT = 1647099.3291652855; // 2^20 · π/2

const S1 = -0.16666666666666632;
const S2 = 0.00833333333332249;
const S3 = -0.0001984126982985795;
const S4 = 0.0000027557313707070068;
const S5 = -2.5050760253406863e-8;
const S6 = 1.58969099521155e-10;
const C1 = 0.0416666666666666;
const C2 = -0.001388888888887411;
const C3 = 0.00002480158728947673;
const C4 = -2.7557314351390663e-7;
const C5 = 2.087572321298175e-9;
const C6 = -1.1359647557788195e-11;

/** sin(x + y) for |x + y| ≤ π/4, y the tail of x (0 when x is exact). */
function kernelSin(x: number, y: number): number {
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (y === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

/** cos(x + y) for |x + y| ≤ π/4. */
function kernelCos(x: number, y: number): number {
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  const hz = 0.5 * z;
  const w = 1 - hz;
  return w + (1 - w - hz + (z * r - x * y));
}

// The reduced argument of the last call: x = n·π/2 + (head + tail).
let reducedHead = 0;
let reducedTail = 0;

/** n with x − n·π/2 = reducedHead + reducedTail, |that| ≤ π/4 (to about 2^-100 absolute). */
function reduce(x: number): number {
  if (!(Math.abs(x) < MEDIUM_LIMIT))
    throw new RangeError(`sin/cos: |x| = ${Math.abs(x)} is beyond this library's range (${MEDIUM_LIMIT})`);
  const n = Math.round(x * INV_PIO2);
  let r = x - n * PIO2_1;
  let w = n * PIO2_1T;
  let head = r - w;
  float[0] = x;
  const exponent = (words[1] >> 20) & 0x7ff;
  float[0] = head;
  if (exponent - ((words[1] >> 20) & 0x7ff) > 16) {
    // cancellation: take the next 33 bits of π/2
    let t = r;
    w = n * PIO2_2;
    r = t - w;
    w = n * PIO2_2T - (t - r - w);
    head = r - w;
    float[0] = head;
    if (exponent - ((words[1] >> 20) & 0x7ff) > 49) {
      t = r;
      w = n * PIO2_3;
      r = t - w;
      w = n * PIO2_3T - (t - r - w);
      head = r - w;
    }
  }
  reducedHead = head;
  reducedTail = r - head - w;
  return n;
}

export function sin(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  if (Math.abs(x) <= 0.7853981633974483) return Math.abs(x) < 7.450580596923828e-9 ? x : kernelSin(x, 0);
  const n = reduce(x) & 3;
  const [h, t] = [reducedHead, reducedTail];
  if (n === 0) return kernelSin(h, t);
  if (n === 1) return kernelCos(h, t);
  if (n === 2) return -kernelSin(h, t);
  return -kernelCos(h, t);
}

export function cos(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  if (Math.abs(x) <= 0.7853981633974483) return Math.abs(x) < 7.450580596923828e-9 ? 1 : kernelCos(x, 0);
  const n = reduce(x) & 3;
  const [h, t] = [reducedHead, reducedTail];
  if (n === 0) return kernelCos(h, t);
  if (n === 1) return -kernelSin(h, t);
  if (n === 2) return -kernelCos(h, t);
  return kernelSin(h, t);
}
