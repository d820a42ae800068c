/** Distances between discrete distributions over 0..K-1. */
import { log } from '../numeric/libm.js';

/** Total variation distance: ½ Σ |p − q|. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return s / 2;
}

/** KL(p ‖ q) in nats; Infinity when q misses an outcome p has. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Number.POSITIVE_INFINITY;
    s += p[i] * log(p[i] / q[i]);
  }
  return s;
}

/** Number of outcomes with positive probability. */
export function supportSize(q: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < q.length; i++) if (q[i] > 0) n++;
  return n;
}

/**
 * The real distribution's tail: its rarest outcomes, taken in order of increasing probability (ties by index)
 * until they hold at least `mass` of the real probability. Returns the outcome indices.
 */
export function rarestOutcomes(p: ArrayLike<number>, mass: number): Int32Array {
  const order = Array.from({ length: p.length }, (_, i) => i).filter((i) => p[i] > 0);
  order.sort((a, b) => p[a] - p[b] || a - b);
  const picked: number[] = [];
  let acc = 0;
  for (const i of order) {
    if (acc >= mass) break;
    picked.push(i);
    acc += p[i];
  }
  return Int32Array.from(picked);
}

/** Probability q puts on a set of outcomes. */
export function massOn(q: ArrayLike<number>, outcomes: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < outcomes.length; i++) s += q[outcomes[i]];
  return s;
}
