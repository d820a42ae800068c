/**
 * When a controlled quantity settles: the first generation from which every later value stays within a relative
 * tolerance of its target. The feedback controller's acceptance bar and the mitigations table read it.
 */

/** The first index from which every value is within ±tolerance·target of target; null if the last one is not. */
export function settledFrom(values: readonly number[], target: number, tolerance: number): number | null {
  let from = values.length;
  for (let i = values.length - 1; i >= 0; i--) {
    if (!(Math.abs(values[i] - target) <= tolerance * Math.abs(target))) break;
    from = i;
  }
  return from < values.length ? from : null;
}

/** The largest |value − target|/|target| from index `from` on (NaN counts as infinite). */
export function worstDeviation(values: readonly number[], target: number, from = 0): number {
  let worst = 0;
  for (let i = from; i < values.length; i++) {
    const d = Math.abs(values[i] - target) / Math.abs(target);
    worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
  }
  return worst;
}
