/** `accumulate`: the real data plus every synthetic set so far, so the training set grows (Gerstgrasser et al. 2024). */
import { concatDatasets, type Dataset } from '../core/dataset.js';
import type { DataPolicy, PolicyContext } from '../core/policy.js';

export function accumulatePolicy(): DataPolicy {
  return {
    name: 'accumulate',
    retains: 'all',
    build: (ctx) => ({ train: concatDatasets(partsSoFar(ctx)) }),
  };
}

/** The real pool followed by the synthetic sets of generations 0..g-1. */
export function partsSoFar(ctx: PolicyContext): Dataset[] {
  const parts: Dataset[] = [ctx.real];
  for (let h = 0; h < ctx.generation; h++) {
    const set = ctx.synthetic[h];
    if (!set) throw new Error(`generation ${h}'s synthetic set is not available`);
    parts.push(set);
  }
  return parts;
}
