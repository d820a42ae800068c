/**
 * `mix`: a fraction `realFraction` of real data, the rest from the previous generation, at the synthetic set's
 * size M (the paper's "10% of the original data preserved"). The synthetic part is a fresh random draw without
 * replacement each generation; the real part too (`realSelection: 'fresh'`, the paper's text), or the same
 * items every generation (`'fixed'`: the paper's code, whose loader keeps the first 10% of a once-shuffled set).
 */
import { concatDatasets, datasetSize, takeItems } from '../core/dataset.js';
import type { DataPolicy } from '../core/policy.js';
import { hashString, Rng } from '../core/rng.js';
import { previousSynthetic } from './replace.js';

export type RealSelection = 'fresh' | 'fixed';

/** The fixed real part: one shuffle of the pool with a constant seed (as a loader seeded once), its first items. */
function fixedItems(poolSize: number, count: number): Int32Array {
  return new Rng(hashString('mix-fixed-real'), poolSize).permutation(poolSize).subarray(0, count);
}

export function mixPolicy(realFraction: number, realSelection: RealSelection = 'fresh'): DataPolicy {
  if (!(realFraction >= 0 && realFraction <= 1))
    throw new RangeError(`mix: realFraction must be in [0, 1], got ${realFraction}`);
  return {
    name: 'mix',
    retains: 'latest',
    build(ctx) {
      const last = previousSynthetic(ctx);
      const total = ctx.samplesPerGeneration;
      const realCount = Math.min(Math.round(realFraction * total), datasetSize(ctx.real));
      const syntheticCount = Math.min(total - realCount, datasetSize(last));
      const poolSize = datasetSize(ctx.real);
      const realItems =
        realSelection === 'fixed'
          ? fixedItems(poolSize, realCount)
          : ctx.rng.sampleWithoutReplacement(poolSize, realCount);
      const realPart = takeItems(ctx.real, realItems);
      const syntheticPart = takeItems(last, ctx.rng.sampleWithoutReplacement(datasetSize(last), syntheticCount));
      return { train: concatDatasets([realPart, syntheticPart]) };
    },
  };
}
