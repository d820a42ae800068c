/**
 * `mix`: a fraction `realFraction` of real data, the rest from the previous generation, at the synthetic set's
 * size M (the paper's "10% of the original data preserved"). Both parts are fresh random draws without
 * replacement each generation.
 */
import { concatDatasets, datasetSize, takeItems } from '../core/dataset.js';
import type { DataPolicy } from '../core/policy.js';
import { previousSynthetic } from './replace.js';

export function mixPolicy(realFraction: number): DataPolicy {
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
      const realPart = takeItems(ctx.real, ctx.rng.sampleWithoutReplacement(datasetSize(ctx.real), realCount));
      const syntheticPart = takeItems(last, ctx.rng.sampleWithoutReplacement(datasetSize(last), syntheticCount));
      return { train: concatDatasets([realPart, syntheticPart]) };
    },
  };
}
