/**
 * `accumulate-subsample`: a uniform subsample, the size of the real pool, of the real data and every synthetic
 * set so far — accumulation at a constant training budget (Kazdan, Schaeffer et al. 2024, "Collapse or Thrive").
 */
import { datasetSize, takeAcross } from '../core/dataset.js';
import type { DataPolicy } from '../core/policy.js';
import { partsSoFar } from './accumulate.js';

export function accumulateSubsamplePolicy(): DataPolicy {
  return {
    name: 'accumulate-subsample',
    retains: 'all',
    build(ctx) {
      const parts = partsSoFar(ctx);
      const total = parts.reduce((acc, p) => acc + datasetSize(p), 0);
      const size = datasetSize(ctx.real);
      // Sorted indices keep each part's items in order; the order of a training set carries no meaning.
      const picked = ctx.rng.sampleWithoutReplacement(total, size).sort();
      return { train: takeAcross(parts, picked) };
    },
  };
}
