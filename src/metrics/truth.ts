/**
 * The value each metric takes at the real distribution itself, where that is known in closed form: the truth
 * column of a report's table (a fitted variance of 0.03 means little until it sits beside the truth's 1).
 * Only metrics whose definition fixes the value are listed; the others get no truth.
 */
import type { Truth } from '../core/real-data.js';
import { TAIL_LEVEL } from './tails.js';

export function truthValues(truth: Truth): Record<string, number> {
  if (truth.type === 'categorical') {
    const p = [...truth.probabilities];
    return {
      supportSize: p.filter((x) => x > 0).length,
      totalVariation: 0,
      klRealModel: 0,
      lostRealMass: 0,
      entropy: -p.reduce((a, x) => (x > 0 ? a + x * Math.log(x) : a), 0),
      giniSimpson: 1 - p.reduce((a, x) => a + x * x, 0),
    };
  }
  const { weights, means, covariances, dim: d } = truth;
  // The mixture's overall mean and covariance trace: Σ w (tr Σₖ + |μₖ|²) − |Σ w μₖ|².
  const mean = new Float64Array(d);
  let second = 0;
  for (let k = 0; k < weights.length; k++) {
    for (let r = 0; r < d; r++) {
      const m = means[k * d + r];
      mean[r] += weights[k] * m;
      second += weights[k] * (covariances[k * d * d + r * d + r] + m * m);
    }
  }
  const trace = second - mean.reduce((a, m) => a + m * m, 0);
  return {
    ...(d === 1 ? { mean: mean[0], variance: trace } : {}),
    covarianceTrace: trace,
    totalVariance: trace,
    w2: 0,
    l2ToTruth: 0,
    slicedWasserstein: 0,
    tailMass: 2 * TAIL_LEVEL,
  };
}
