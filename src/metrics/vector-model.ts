/**
 * Metrics every vector family reports for a fitted Gaussian mixture (a single Gaussian included): the mean
 * log-likelihood of held-out real data, the tail mass outside the real 1%–99% quantiles, and a sliced
 * 2-Wasserstein estimate against the held-out real sample. What depends only on the real data (tail bounds,
 * sorted reference projections) is computed once per run and cached.
 */
import type { RealData } from '../core/real-data.js';
import { deriveRng, type Rng } from '../core/rng.js';
import type { VectorSamples } from '../core/samples.js';
import { type GaussianMixture, mixtureLogDensity, type PreparedMixture, sampleMixture } from '../math/mixture.js';
import { quantileGrid, randomDirections, slicedW2, sortedProjections } from './sliced-wasserstein.js';
import { empiricalTailBounds, mixtureTailBounds, mixtureTailMass, type TailBounds } from './tails.js';

export interface VectorMetricOptions {
  /** Random directions for the sliced Wasserstein estimate. */
  readonly slicedProjections: number;
  /** Points drawn from the model for the sliced Wasserstein estimate. */
  readonly slicedSamples: number;
}

interface Reference {
  readonly tails: TailBounds;
  readonly directions: Float64Array;
  /** Per direction, the held-out projections' quantiles at the slicedSamples grid. */
  readonly grids: Float64Array[];
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
    const grids = sortedProjections(real.heldOut.values, d, directions).map((s) =>
      quantileGrid(s, options.slicedSamples),
    );
    ref = {
      tails: truth ? mixtureTailBounds(truth) : empiricalTailBounds(real.heldOut.values, d),
      directions,
      grids,
      truth,
    };
    references.set(real, ref);
  }
  return ref;
}

export function vectorModelMetrics(
  model: PreparedMixture,
  real: RealData<VectorSamples>,
  rng: Rng,
  options: VectorMetricOptions,
): { heldOutLogLikelihood: number | null; tailMass: number; slicedWasserstein: number } {
  const ref = reference(real, options);
  const logDensity = mixtureLogDensity(model, real.heldOut.values);
  let sum = 0;
  for (let i = 0; i < logDensity.length; i++) sum += logDensity[i];
  const meanLogLikelihood = sum / logDensity.length;
  const draws = sampleMixture(model, options.slicedSamples, rng);
  return {
    heldOutLogLikelihood: Number.isFinite(meanLogLikelihood) ? meanLogLikelihood : null,
    tailMass: mixtureTailMass(model, ref.tails),
    slicedWasserstein: slicedW2(draws, model.dim, ref.directions, ref.grids),
  };
}
