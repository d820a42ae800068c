/** Helpers the theory tests share; the special functions live in math/special.ts. */

export { digamma, trigamma } from '../math/special.js';

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function sampleVariance(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1);
}
