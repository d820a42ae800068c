/**
 * Seeded randomness: xoshiro128** (Blackman & Vigna 2018), a 32-bit generator that runs on plain JS integers
 * (no BigInt), seeded through a hash of (seed, generation, purpose).
 *
 * Every random stream in a run is derived, never carried: `deriveRng(seed, generation, 'sample')` returns the
 * same stream whether the run was interrupted or not, so a checkpoint never has to store generator state and a
 * resumed run draws exactly the numbers an uninterrupted one would.
 */
import { exp, log } from '../numeric/libm.js';

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string's UTF-16 code units, then mixed: turns a purpose name into a 32-bit key. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

const TWO_POW_32 = 4294967296;
const TWO_POW_NEG_53 = 2 ** -53;
const TWO_POW_NEG_31 = 2 ** -31;

/** Ziggurat tables for 128 layers: right edges x_i (x_128 = 0) and the ratios x_{i+1}/x_i (Doornik 2005). */
const ZIG_R = 3.442619855899;
const ZIG_X = new Float64Array(129);
const ZIG_RATIO = new Float64Array(128);
{
  const area = 9.91256303526217e-3;
  const f = (x: number) => exp(-0.5 * x * x);
  ZIG_X[0] = area / f(ZIG_R);
  ZIG_X[1] = ZIG_R;
  for (let i = 2; i < 128; i++) ZIG_X[i] = Math.sqrt(-2 * log(area / ZIG_X[i - 1] + f(ZIG_X[i - 1])));
  ZIG_X[128] = 0;
  for (let i = 0; i < 128; i++) ZIG_RATIO[i] = ZIG_X[i + 1] / ZIG_X[i];
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds the four state words from a list of 32-bit keys with a splitmix-style sequence of mixes. */
  constructor(...keys: number[]) {
    let h = 0x9e3779b9;
    for (const key of keys) h = mix32((h ^ (key >>> 0)) + 0x9e3779b9);
    const next = () => {
      h = (h + 0x9e3779b9) >>> 0;
      return mix32(h);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** The generator's four state words, to save a stream mid-way (a training resumed inside an epoch loop). */
  state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Continues the stream `state()` returned. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w)) || state.every((w) => w === 0))
      throw new RangeError(`Rng.fromState: expected four 32-bit words, not all zero; got [${state.join(', ')}]`);
    const rng = new Rng();
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((w) => w | 0);
    return rng;
  }

  /** The next 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_NEG_53;
  }

  /** Uniform on the open interval (0, 1): safe to take the log of. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform integer in [0, n) without modulo bias (rejects the top partial block), for 0 < n ≤ 2^32. */
  int(n: number): number {
    if (!(n > 0 && n <= TWO_POW_32)) throw new RangeError(`Rng.int: n must be in (0, 2^32], got ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /**
   * Standard normal by the ziggurat method (Marsaglia & Tsang 2000) in Doornik's 2005 form, which draws the
   * layer and the position from separate words to avoid their correlation. ~99% of calls cost two 32-bit
   * draws and a multiply — several times faster than Box-Muller, which matters when a run draws millions.
   */
  normal(): number {
    for (;;) {
      const u = (this.nextUint32() | 0) * TWO_POW_NEG_31; // uniform on [-1, 1)
      const layer = this.nextUint32() & 127;
      if (Math.abs(u) < ZIG_RATIO[layer]) return u * ZIG_X[layer];
      if (layer === 0) return this.normalTail(u < 0);
      const x = u * ZIG_X[layer];
      const f0 = exp(-0.5 * (ZIG_X[layer] * ZIG_X[layer] - x * x));
      const f1 = exp(-0.5 * (ZIG_X[layer + 1] * ZIG_X[layer + 1] - x * x));
      if (f1 + this.uniform() * (f0 - f1) < 1) return x;
    }
  }

  /** The normal's tail beyond the base layer's edge R (Marsaglia 1964). */
  private normalTail(negative: boolean): number {
    let x: number;
    let y: number;
    do {
      x = log(this.uniformOpen()) / ZIG_R;
      y = log(this.uniformOpen());
    } while (-2 * y < x * x);
    return negative ? x - ZIG_R : ZIG_R - x;
  }

  /** Fills `out` with standard normals. */
  fillNormal(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** Shuffles in place, every order equally likely (Fisher-Yates). */
  shuffle<T extends { [i: number]: number; length: number }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** `count` distinct indices from 0..n-1, uniformly, in random order (partial Fisher-Yates). */
  sampleWithoutReplacement(n: number, count: number): Int32Array {
    if (count > n) throw new RangeError(`cannot draw ${count} distinct items from ${n}`);
    if (count * 4 < n) {
      // Sparse case: Floyd's algorithm avoids allocating n entries.
      const chosen = new Set<number>();
      const out = new Int32Array(count);
      let k = 0;
      for (let j = n - count; j < n; j++) {
        const t = this.int(j + 1);
        const pick = chosen.has(t) ? j : t;
        chosen.add(pick);
        out[k++] = pick;
      }
      return this.shuffle(out); // Floyd's order is not uniformly random
    }
    return this.permutation(n).subarray(0, count).slice();
  }

  /** `count` indices from 0..n-1 drawn uniformly with replacement. */
  sampleWithReplacement(n: number, count: number): Int32Array {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.int(n);
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Purposes name the independent random streams of one generation. */
export type RngPurpose = 'real' | 'policy' | 'fit' | 'sample' | 'evaluate' | (string & {});

/**
 * The stream for (seed, generation, purpose). Generation -1 is used for draws that precede the loop (the real
 * pool, held-out data). Seeds are integers in [0, 2^53).
 */
export function deriveRng(seed: number, generation: number, purpose: RngPurpose): Rng {
  const seedLow = seed >>> 0;
  const seedHigh = Math.floor(seed / TWO_POW_32) >>> 0;
  return new Rng(seedLow, seedHigh, generation | 0, hashString(purpose));
}
