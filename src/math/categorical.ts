/** Draws from a categorical distribution given by its probabilities. */
import type { Rng } from '../core/rng.js';

/** n draws by inverse-CDF with binary search over the cumulative probabilities. */
export function sampleCategorical(model: { readonly probabilities: Float64Array }, n: number, rng: Rng): Int32Array {
  const p = model.probabilities;
  const cumulative = new Float64Array(p.length);
  let acc = 0;
  for (let k = 0; k < p.length; k++) cumulative[k] = acc += p[k];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform() * acc;
    let lo = 0;
    let hi = p.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    // Never land on an outcome of probability 0 (possible only through round-off at a boundary).
    while (p[lo] === 0 && lo > 0) lo--;
    out[i] = lo;
  }
  return out;
}
