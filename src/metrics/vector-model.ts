/**
 * Metrics every vector family reports for a fitted Gaussian mixture (a single Gaussian included): the mean
 * log-likelihood of held-out real data, the tail mass outside the real 1%–99% quantiles, and a sliced
 * 2-Wasserstein estimate between the generation's samples and the held-out real sample. What depends only on
 * the real data (tail bounds, sorted reference projections) is computed once per run and cached.
 */
import type { RealData } from '../core/real-data.js';
import { deriveRng } from '../core/rng.js';
import type { VectorSamples } from '../core/samples.js';
import { type GaussianMixture, meanLogLikelihood, type PreparedMixture } from '../math/mixture.js';
import { quantileGrid, randomDirections, slicedW2, sortedProjections } from './sliced-wasserstein.js';
import { empiricalTailBounds, mixtureTailBounds, mixtureTailMass, type TailBounds } from './tails.js';

export interface VectorMetricOptions {
  /** Random directions for the sliced Wasserstein estimate. */
  readonly slicedProjections: number;
}

interface Reference {
  readonly tails: TailBounds;
  readonly directions: Float64Array;
  readonly sortedHeldOut: Float64Array[];
  /** Per sample size, the held-out projections' quantiles at that many levels. */
  readonly grids: Map<number, Float64Array[]>;
  readonly truth?: GaussianMixture;
}

const references = new WeakMap<RealData<VectorSamples>, Reference>();

/** The truth as a mixture, when the real data comes from a known one. */
export function truthMixture(real: RealData<VectorSamples>): GaussianMixture | undefined {
  const t = real.truth;
  return t?.type === 'mixture'
    ? { dim: t.dim, weights: t.weights, means: t.means, covariances: t.covariances }
    : undefined;
}

function reference(real: RealData<VectorSamples>, options: VectorMetricOptions): Reference {
  let ref = references.get(real);
  if (!ref) {
    const d = real.heldOut.dim;
    const truth = truthMixture(real);
    // Fixed directions, independent of the generation: every generation is measured on the same slices.
    const directions = randomDirections(d, options.slicedProjections, deriveRng(0, -1, 'sliced-directions'));
    const sortedHeldOut = sortedProjections(real.heldOut.values, d, directions);
    const tails = truth ? mixtureTailBounds(truth) : empiricalTailBounds(real.heldOut.values, d);
    ref = { tails, directions, sortedHeldOut, grids: new Map(), truth };
    references.set(real, ref);
  }
  return ref;
}

/**
 * `synthetic` is the generation's own sample set (drawn from `model`): the sliced Wasserstein estimate compares
 * it with the held-out real data, at no extra sampling cost.
 */
export function vectorModelMetrics(
  model: PreparedMixture,
  real: RealData<VectorSamples>,
  synthetic: VectorSamples,
  options: VectorMetricOptions,
): { heldOutLogLikelihood: number | null; tailMass: number; slicedWasserstein: number } {
  const ref = reference(real, options);
  const n = synthetic.values.length / synthetic.dim;
  let grid = ref.grids.get(n);
  if (!grid) ref.grids.set(n, (grid = ref.sortedHeldOut.map((s) => quantileGrid(s, n))));
  const logLikelihood = meanLogLikelihood(model, real.heldOut.values);
  return {
    heldOutLogLikelihood: Number.isFinite(logLikelihood) ? logLikelihood : null,
    tailMass: mixtureTailMass(model, ref.tails),
    slicedWasserstein: slicedW2(synthetic.values, synthetic.dim, ref.directions, grid),
  };
}
