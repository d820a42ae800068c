/**
 * Family `categorical`: K outcomes fitted by maximum likelihood (the empirical frequencies). The simplest
 * place to watch statistical approximation error: an outcome that draws no sample gets probability 0 and can
 * never come back, so rare outcomes vanish first and the chain ends absorbed in a single outcome.
 */
import { z } from 'zod';
import type { Dataset } from '../../core/dataset.js';
import type {
  EvaluateContext,
  FitContext,
  Metrics,
  ModelFamily,
  ModelState,
  SampleContext,
} from '../../core/family.js';
import { type CategorySamples, categories } from '../../core/samples.js';
import { sampleCategorical } from '../../math/categorical.js';
import { klDivergence, massOn, rarestOutcomes, supportSize, totalVariation } from '../../metrics/categorical.js';
import { log } from '../../numeric/libm.js';
import { giniSimpson } from '../../theory/categorical.js';

export const categoricalOptions = z
  .object({
    type: z.literal('categorical'),
    /** The real mass that defines the tail: the rarest outcomes holding this much of the real probability. */
    tailMass: z.number().gt(0).lt(1).default(0.1),
    /** Outcome probabilities are written per generation when K is at most this. */
    reportProbabilitiesUpTo: z.number().int().min(0).default(64),
  })
  .strict();
export type CategoricalOptions = z.infer<typeof categoricalOptions>;

export interface CategoricalModel {
  readonly probabilities: Float64Array;
}

/** Maximum-likelihood fit: the empirical frequency of each outcome. */
export function fitCategorical(values: Int32Array, outcomes: number): CategoricalModel {
  const counts = new Float64Array(outcomes);
  for (let i = 0; i < values.length; i++) counts[values[i]]++;
  for (let k = 0; k < outcomes; k++) counts[k] /= values.length;
  return { probabilities: counts };
}

export function createCategoricalFamily(options: CategoricalOptions): ModelFamily<CategorySamples, CategoricalModel> {
  const tailCache = new WeakMap<Float64Array, Int32Array>();
  return {
    name: 'categorical',
    sampleKind: 'categories',
    async fit(train: Dataset<CategorySamples>, _ctx: FitContext<CategoricalModel>) {
      return fitCategorical(train.samples.values, train.samples.outcomes);
    },
    async sample(model, count, ctx: SampleContext) {
      return categories(sampleCategorical(model, count, ctx.rng), model.probabilities.length);
    },
    async evaluate(model, ctx: EvaluateContext<CategorySamples, CategoricalModel>): Promise<Metrics> {
      const q = model.probabilities;
      const truth =
        ctx.real.truth?.type === 'categorical'
          ? ctx.real.truth.probabilities
          : fitCategorical(ctx.real.heldOut.values, q.length).probabilities;
      let tail = tailCache.get(truth);
      if (!tail) tailCache.set(truth, (tail = rarestOutcomes(truth, options.tailMass)));
      const kl = klDivergence(truth, q);
      let lost = 0;
      for (let k = 0; k < q.length; k++) if (q[k] === 0) lost += truth[k];
      return {
        supportSize: supportSize(q),
        totalVariation: totalVariation(truth, q),
        klRealModel: Number.isFinite(kl) ? kl : null,
        lostRealMass: lost,
        tailMass: massOn(q, tail),
        realTailMass: massOn(truth, tail),
        entropy: entropy(q),
        giniSimpson: giniSimpson(q),
        ...(q.length <= options.reportProbabilitiesUpTo ? { probabilities: Array.from(q) } : {}),
      };
    },
    async score(model, samples) {
      // log q(k) per draw: −∞ for an outcome the model has lost.
      const out = new Float64Array(samples.values.length);
      for (let i = 0; i < out.length; i++) out[i] = log(model.probabilities[samples.values[i]]);
      return out;
    },
    saveModel: async (model): Promise<ModelState> => ({
      json: { family: 'categorical' },
      arrays: { probabilities: model.probabilities },
    }),
    loadModel: async (state) => ({ probabilities: state.arrays?.probabilities as Float64Array }),
  };
}

function entropy(q: Float64Array): number {
  let s = 0;
  for (let k = 0; k < q.length; k++) if (q[k] > 0) s -= q[k] * log(q[k]);
  return s;
}

export { sampleCategorical };
