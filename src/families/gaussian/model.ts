/**
 * Family `gaussian`: one d-dimensional Gaussian fitted by maximum likelihood (covariance divided by n) or with
 * the unbiased covariance (divided by n − 1). Under `replace`, the MLE variance shrinks in expectation by
 * (M − 1)/M per generation and log-variance follows a random walk with negative drift: the model collapses to
 * a point while each step looks unbiased.
 */
import { z } from 'zod';
import type { Dataset } from '../../core/dataset.js';
import type { EvaluateContext, Metrics, ModelFamily, ModelState } from '../../core/family.js';
import { type VectorSamples, vectors } from '../../core/samples.js';
import { cholesky, sqrtPsd, trace } from '../../math/linalg.js';
import {
  type GaussianMixture,
  mixtureCovariance,
  mixtureLogDensity,
  mixtureMean,
  prepareMixture,
} from '../../math/mixture.js';
import { gaussianW2 } from '../../metrics/gaussian-wasserstein.js';
import { truthMixture, vectorModelMetrics } from '../../metrics/vector-model.js';

export const gaussianOptions = z
  .object({
    type: z.literal('gaussian'),
    estimator: z.enum(['mle', 'unbiased']).default('mle'),
    slicedProjections: z.number().int().min(1).default(8),
  })
  .strict();
export type GaussianOptions = z.infer<typeof gaussianOptions>;

export interface GaussianModel {
  readonly dim: number;
  readonly mean: Float64Array;
  readonly covariance: Float64Array;
}

/** Sample mean and covariance (divided by n for 'mle', n − 1 for 'unbiased'). */
export function fitGaussian(x: Float64Array, d: number, estimator: 'mle' | 'unbiased'): GaussianModel {
  const n = x.length / d;
  const divisor = estimator === 'mle' ? n : n - 1;
  if (divisor <= 0) throw new RangeError(`gaussian: cannot fit ${estimator} covariance to ${n} point(s)`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let r = 0; r < d; r++) mean[r] += x[i * d + r];
  for (let r = 0; r < d; r++) mean[r] /= n;
  const covariance = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < d; r++) {
      const dr = x[i * d + r] - mean[r];
      for (let c = 0; c <= r; c++) covariance[r * d + c] += dr * (x[i * d + c] - mean[c]);
    }
  for (let r = 0; r < d; r++)
    for (let c = 0; c <= r; c++) {
      covariance[r * d + c] /= divisor;
      covariance[c * d + r] = covariance[r * d + c];
    }
  return { dim: d, mean, covariance };
}

export function asMixture(m: GaussianModel): GaussianMixture {
  return { dim: m.dim, weights: Float64Array.of(1), means: m.mean, covariances: m.covariance };
}

export function createGaussianFamily(options: GaussianOptions): ModelFamily<VectorSamples, GaussianModel> {
  return {
    name: 'gaussian',
    sampleKind: 'vectors',
    async fit(train: Dataset<VectorSamples>) {
      return fitGaussian(train.samples.values, train.samples.dim, options.estimator);
    },
    async sample(model, count, ctx) {
      const d = model.dim;
      // Cholesky when the covariance is positive definite; the symmetric root also covers a collapsed one.
      const root = cholesky(model.covariance, d) ?? sqrtPsd(model.covariance, d);
      const out = new Float64Array(count * d);
      const z = new Float64Array(d);
      for (let i = 0; i < count; i++) {
        for (let r = 0; r < d; r++) z[r] = ctx.rng.normal();
        for (let r = 0; r < d; r++) {
          let s = model.mean[r];
          for (let c = 0; c < d; c++) s += root[r * d + c] * z[c];
          out[i * d + r] = s;
        }
      }
      return vectors(out, d);
    },
    async evaluate(model, ctx: EvaluateContext<VectorSamples, GaussianModel>): Promise<Metrics> {
      const d = model.dim;
      const truth = truthMixture(ctx.real);
      const target = truth
        ? { mean: mixtureMean(truth), covariance: mixtureCovariance(truth) }
        : fitGaussian(ctx.real.heldOut.values, d, 'unbiased');
      const metrics: Metrics = {};
      if (d === 1) {
        metrics.mean = model.mean[0];
        metrics.variance = model.covariance[0];
      }
      metrics.covarianceTrace = trace(model.covariance, d);
      metrics.w2 = gaussianW2(model.mean, model.covariance, target.mean, target.covariance, d);
      if (cholesky(model.covariance, d)) {
        Object.assign(metrics, vectorModelMetrics(prepareMixture(asMixture(model)), ctx.real, ctx.synthetic, options));
      } else {
        Object.assign(metrics, { heldOutLogLikelihood: null, tailMass: 0, slicedWasserstein: null });
      }
      return metrics;
    },
    async score(model, samples) {
      return gaussianLogDensity(model, samples.values);
    },
    saveModel: async (m): Promise<ModelState> => ({
      json: { family: 'gaussian', dim: m.dim },
      arrays: { mean: m.mean, covariance: m.covariance },
    }),
    loadModel: async (state) => ({
      dim: (state.json as { dim: number }).dim,
      mean: state.arrays?.mean as Float64Array,
      covariance: state.arrays?.covariance as Float64Array,
    }),
  };
}

/**
 * log N(x_i; μ, Σ) per point. A collapsed (singular) model is a point mass: +∞ at its mean, −∞ elsewhere, so a
 * verifier still ranks its samples instead of failing.
 */
export function gaussianLogDensity(model: GaussianModel, x: Float64Array): Float64Array {
  if (cholesky(model.covariance, model.dim)) return mixtureLogDensity(prepareMixture(asMixture(model)), x);
  const d = model.dim;
  const out = new Float64Array(x.length / d);
  for (let i = 0; i < out.length; i++) {
    let same = true;
    for (let r = 0; r < d; r++) same &&= x[i * d + r] === model.mean[r];
    out[i] = same ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  return out;
}
