/**
 * The engine-independent exp, log and pow: within 1 ulp of the engine's (which are within 1 ulp of the truth),
 * bit-identical to Node 20's fdlibm-based Math.exp/Math.log (the same algorithm), and right at the edges.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { cos, exp, expm1, log, log1p, pow, sin, tanh } from './libm.js';

/** Distance in units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  return Math.abs(Number(bits[0] - bits[1]));
}

const rng = new Rng(2026, 12, 2, 7);
const draws = (n: number, f: (u: number) => number) => Array.from({ length: n }, () => f(rng.uniform()));
// Node 20's V8 (11.x) computes Math.exp and Math.log with its port of fdlibm, the algorithm ported here.
const fdlibmEngine = process.versions.v8.startsWith('11.');

describe('deterministic libm', () => {
  it('exp is within 1 ulp of Math.exp over its whole range (identical to fdlibm)', () => {
    for (const x of [
      ...draws(50_000, (u) => (u - 0.5) * 1416),
      ...draws(20_000, (u) => (u - 0.5) * 2),
      ...draws(5000, (u) => (u - 0.5) * 1e-7),
    ]) {
      const d = ulps(exp(x), Math.exp(x));
      expect(d, `exp(${x})`).toBeLessThanOrEqual(fdlibmEngine ? 0 : 1);
    }
  });

  it('log is within 1 ulp of Math.log, subnormals to the largest double (identical to fdlibm)', () => {
    for (const x of [
      ...draws(50_000, (u) => 2 ** ((u - 0.5) * 2040)),
      ...draws(20_000, (u) => 1 + (u - 0.5) * 1e-4),
      ...draws(2000, (u) => u * 1e-310),
    ]) {
      const d = ulps(log(x), Math.log(x));
      expect(d, `log(${x})`).toBeLessThanOrEqual(fdlibmEngine ? 0 : 1);
    }
  });

  it('handles the edges as IEEE 754 says', () => {
    expect([exp(0), exp(-0), exp(Number.NaN), exp(Infinity), exp(-Infinity)]).toEqual([1, 1, Number.NaN, Infinity, 0]);
    expect(exp(709.78)).toBeCloseTo(1.7928227943945155e308, -295);
    expect([exp(709.8), exp(-745.2), exp(-745)]).toEqual([Infinity, 0, 5e-324]);
    expect(exp(-740)).toBe(Math.exp(-740)); // subnormal result: the two-step scaling
    expect([log(1), log(0), log(-0), log(-1), log(Infinity), log(Number.NaN)]).toEqual([
      0,
      -Infinity,
      -Infinity,
      Number.NaN,
      Infinity,
      Number.NaN,
    ]);
    expect(log(2)).toBe(Math.LN2);
    expect(log(5e-324)).toBeCloseTo(-744.4400719213812, 12);
    expect(ulps(log(exp(3.25)), 3.25)).toBeLessThanOrEqual(1);
  });

  it('pow: exact small integer powers, ≤ a few ulp elsewhere, and the special cases of Math.pow', () => {
    expect([pow(3, 5), pow(2, -3), pow(-2, 3), pow(-2, 4), pow(0.5, 10), pow(10, 15)]).toEqual([
      243,
      0.125,
      -8,
      16,
      1 / 1024,
      1e15,
    ]);
    for (const x of draws(20_000, (u) => u * 100)) {
      expect(ulps(pow(x, 1.37), x ** 1.37), `pow(${x}, 1.37)`).toBeLessThanOrEqual(16);
      expect(ulps(pow(x, 7), x ** 7), `pow(${x}, 7)`).toBeLessThanOrEqual(4);
    }
    const specials = [0, -0, 1, -1, 0.5, -0.5, 2, -2, Infinity, -Infinity, Number.NaN, 1.5];
    for (const x of specials)
      for (const y of specials) {
        const [ours, theirs] = [pow(x, y), x ** y];
        if (Number.isFinite(theirs) && theirs !== 0)
          expect(ulps(ours, theirs), `pow(${x}, ${y})`).toBeLessThanOrEqual(1);
        else expect(ours, `pow(${x}, ${y})`).toBe(theirs); // zeros (with their sign), infinities and NaN exactly
      }
  });

  it('log1p keeps tiny arguments exact and is within a few ulp elsewhere', () => {
    expect(log1p(1e-300)).toBe(1e-300);
    expect(log1p(0)).toBe(0);
    expect(log1p(-1)).toBe(-Infinity);
    for (const x of draws(20_000, (u) => (u - 0.25) * 1e-3))
      expect(ulps(log1p(x), Math.log1p(x)), `log1p(${x})`).toBeLessThanOrEqual(4);
  });

  it("sin and cos are within 1 ulp of Math's over the whole range they take, and exact at the checkpoints", () => {
    for (const x of [
      ...draws(30_000, (u) => u * 2 * Math.PI),
      ...draws(20_000, (u) => (u - 0.5) * 3e6),
      // just off multiples of π/2, where the reduction cancels most bits
      ...draws(5000, (u) => (Math.PI / 2) * Math.round(u * 2e5) + (u - 0.5) * 1e-6),
    ]) {
      expect(ulps(sin(x), Math.sin(x)), `sin(${x})`).toBeLessThanOrEqual(1);
      expect(ulps(cos(x), Math.cos(x)), `cos(${x})`).toBeLessThanOrEqual(1);
    }
    expect([sin(0), sin(-0), cos(0), sin(1e-10)]).toEqual([0, -0, 1, 1e-10]);
    expect(sin(Math.PI)).toBe(1.2246467991473532e-16); // π's rounding error, not 0
    expect([sin(Infinity), cos(Number.NaN)]).toEqual([Number.NaN, Number.NaN]);
    expect(() => sin(1e7)).toThrow(/beyond/);
    // sin² + cos² = 1 to rounding
    for (const x of draws(2000, (u) => (u - 0.5) * 100)) expect(sin(x) ** 2 + cos(x) ** 2).toBeCloseTo(1, 15);
  });

  it('expm1 and tanh keep tiny arguments and are within a few ulp elsewhere', () => {
    expect([expm1(1e-300), tanh(1e-300), tanh(30), tanh(-30), tanh(0)]).toEqual([1e-300, 1e-300, 1, -1, 0]);
    for (const x of draws(20_000, (u) => (u - 0.5) * 4)) {
      expect(ulps(expm1(x), Math.expm1(x)), `expm1(${x})`).toBeLessThanOrEqual(4);
      expect(ulps(tanh(x), Math.tanh(x)), `tanh(${x})`).toBeLessThanOrEqual(4);
    }
  });
});
