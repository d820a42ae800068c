/**
 * Family `gmm`: a d-dimensional Gaussian mixture refitted by EM every generation — the paper's experiment where
 * a 2-component mixture, refitted to 1,000 of its own samples for 2,000 generations, shrinks to a point.
 */
import { z } from 'zod';
import type { Dataset } from '../../core/dataset.js';
import type { EvaluateContext, Metrics, ModelFamily, ModelState } from '../../core/family.js';
import { type VectorSamples, vectors } from '../../core/samples.js';
import {
  type GaussianMixture,
  mixtureL2Distance,
  mixtureLogDensity,
  prepareMixture,
  sampleMixture,
  totalVariance,
} from '../../math/mixture.js';
import { truthMixture, vectorModelMetrics } from '../../metrics/vector-model.js';
import { fitMixtureEm } from './em.js';

export const gmmOptions = z
  .object({
    type: z.literal('gmm'),
    components: z.number().int().min(1).default(2),
    init: z.enum(['kmeans', 'kmeans++', 'random']).default('kmeans'),
    restarts: z.number().int().min(1).default(1),
    tolerance: z.number().positive().default(1e-5),
    maxIterations: z.number().int().min(1).default(2000),
    regularization: z.number().min(0).default(1e-6),
    slicedProjections: z.number().int().min(1).default(8),
  })
  .strict();
export type GmmOptions = z.infer<typeof gmmOptions>;

export interface GmmModel {
  readonly mixture: GaussianMixture;
  readonly iterations: number;
  readonly converged: boolean;
}

/** EM needs a point per component: the fewest items a fit takes, and why (for errors). */
export function gmmMinimum(options: Pick<GmmOptions, 'components'>): { count: number; why: string } {
  return {
    count: options.components,
    why: `EM needs a point per component, and family.components is ${options.components}`,
  };
}

export function createGmmFamily(options: GmmOptions): ModelFamily<VectorSamples, GmmModel> {
  return {
    name: 'gmm',
    sampleKind: 'vectors',
    minimumItems: {
      count: options.components,
      why: `EM needs a point per component, and family.components is ${options.components}`,
    },
    async fit(train: Dataset<VectorSamples>, ctx) {
      const result = fitMixtureEm(train.samples.values, train.samples.dim, options, ctx.rng);
      return { mixture: result.mixture, iterations: result.iterations, converged: result.converged };
    },
    async sample(model, count, ctx) {
      return vectors(sampleMixture(prepareMixture(model.mixture), count, ctx.rng), model.mixture.dim);
    },
    async evaluate(model, ctx: EvaluateContext<VectorSamples, GmmModel>): Promise<Metrics> {
      const truth = truthMixture(ctx.real);
      return {
        totalVariance: totalVariance(model.mixture),
        l2ToGenerationZero: mixtureL2Distance(model.mixture, ctx.generationZero.mixture),
        ...(truth ? { l2ToTruth: mixtureL2Distance(model.mixture, truth) } : {}),
        ...vectorModelMetrics(prepareMixture(model.mixture), ctx.real, ctx.synthetic, options),
        emIterations: model.iterations,
      };
    },
    async score(model, samples) {
      return mixtureLogDensity(prepareMixture(model.mixture), samples.values);
    },
    saveModel: async (m): Promise<ModelState> => ({
      json: { family: 'gmm', dim: m.mixture.dim, iterations: m.iterations, converged: m.converged },
      arrays: { weights: m.mixture.weights, means: m.mixture.means, covariances: m.mixture.covariances },
    }),
    async loadModel(state) {
      const json = state.json as { dim: number; iterations: number; converged: boolean };
      const a = state.arrays as Record<string, Float64Array>;
      return {
        mixture: { dim: json.dim, weights: a.weights, means: a.means, covariances: a.covariances },
        iterations: json.iterations,
        converged: json.converged,
      };
    },
  };
}
