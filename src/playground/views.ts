/**
 * What the playground draws of a generation, computed from its fitted model and synthetic set: the model's
 * probabilities beside the truth's (categorical), the model's density beside the truth's on a fixed grid (1-D),
 * or a sample of points with the components' ellipses (2-D and up, first two coordinates). Plain arrays, so a
 * frame crosses from a Web Worker as it is.
 */
import type { Truth } from '../core/real-data.js';
import type { Samples } from '../core/samples.js';
import type { CategoricalModel } from '../families/categorical/model.js';
import { asMixture, type GaussianModel } from '../families/gaussian/model.js';
import type { GmmModel } from '../families/gmm/model.js';
import { componentSpan, type GaussianMixture, mixtureLogDensity, prepareMixture } from '../math/mixture.js';
import { exp } from '../numeric/libm.js';

export interface Ellipse {
  readonly weight: number;
  readonly mean: readonly [number, number];
  /** The 2×2 covariance of the first two coordinates, row-major. */
  readonly covariance: readonly [number, number, number, number];
}

export type PlaygroundView =
  | {
      readonly kind: 'histogram';
      /** The model's probability of each outcome, and the truth's (the first MAX_OUTCOMES outcomes). */
      readonly model: number[];
      readonly truth: number[];
    }
  /** Densities at `x`, increasing but not evenly spaced (a narrow model gets extra points). */
  | { readonly kind: 'density'; readonly x: number[]; readonly model: number[]; readonly truth: number[] }
  | {
      readonly kind: 'points';
      /** Up to MAX_POINTS synthetic points, x and y interleaved. */
      readonly points: number[];
      readonly model: Ellipse[];
      readonly truth: Ellipse[];
    }
  | {
      readonly kind: 'image';
      /** A PNG data URL: the vae's decoder on the same fixed latents every generation (the report's grid). */
      readonly src: string;
    };

export const MAX_OUTCOMES = 200;
export const MAX_POINTS = 500;
const GRID = 201;
/** Points across ± 5 sd of a component too narrow for the grid. */
const FINE = 40;

/** The view of one generation, for the family the model came from. */
export function generationView(
  family: string,
  model: unknown,
  synthetic: Samples,
  truth: Truth | undefined,
): PlaygroundView {
  if (family === 'categorical') {
    const p = (model as CategoricalModel).probabilities;
    const q = truth?.type === 'categorical' ? truth.probabilities : new Float64Array(p.length);
    return {
      kind: 'histogram',
      model: Array.from(p.subarray(0, MAX_OUTCOMES)),
      truth: Array.from(q.subarray(0, MAX_OUTCOMES)),
    };
  }
  const mixture = family === 'gmm' ? (model as GmmModel).mixture : asMixture(model as GaussianModel);
  const real = truth?.type === 'mixture' ? truth : undefined;
  if (mixture.dim === 1) return densityView(mixture, real);
  return pointsView(mixture, synthetic, real);
}

/**
 * Densities on a grid fixed by the truth (its range ± 5 sd), so the axes stay put while the model shrinks; a
 * component narrower than a few grid steps gets its own fine points, so a collapsed model still shows its peak.
 * The grid is not uniform then: draw against `x`.
 */
function densityView(model: GaussianMixture, truth: GaussianMixture | undefined): PlaygroundView {
  const reference = truth ?? model;
  const [lo, hi] = componentSpan(reference.means, reference.covariances, 5); // 1-D: a covariance is a variance
  const step = (hi - lo) / (GRID - 1);
  const grid = Array.from({ length: GRID }, (_, i) => lo + step * i);
  for (let j = 0; j < model.weights.length; j++) {
    const sd = Math.sqrt(model.covariances[j]);
    if (!(sd < 4 * step)) continue;
    for (let i = 0; i <= FINE; i++) {
      const v = model.means[j] + sd * (-5 + (10 * i) / FINE);
      if (v > lo && v < hi) grid.push(v);
    }
  }
  const x = Float64Array.from(grid).sort();
  const density = (m: GaussianMixture) => Array.from(mixtureLogDensity(prepareMixture(m), x), (v) => exp(v));
  return { kind: 'density', x: Array.from(x), model: density(model), truth: truth ? density(truth) : [] };
}

function pointsView(model: GaussianMixture, synthetic: Samples, truth: GaussianMixture | undefined): PlaygroundView {
  const values = synthetic.kind === 'vectors' ? synthetic.values : new Float64Array();
  const d = model.dim;
  const n = Math.min(MAX_POINTS, values.length / d);
  const points: number[] = [];
  for (let i = 0; i < n; i++) points.push(values[i * d], values[i * d + 1]);
  return { kind: 'points', points, model: ellipses(model), truth: truth ? ellipses(truth) : [] };
}

function ellipses(m: GaussianMixture): Ellipse[] {
  const d = m.dim;
  return Array.from(m.weights, (weight, j) => {
    const c = m.covariances.subarray(j * d * d, (j + 1) * d * d);
    return {
      weight,
      mean: [m.means[j * d], m.means[j * d + 1]],
      covariance: [c[0], c[1], c[d], c[d + 1]],
    };
  });
}

/** The family's snapshot picture (the vae's sample grid) as a view. */
export function imageView(notes: Readonly<Record<string, unknown>>): PlaygroundView {
  const src = notes.sampleGrid;
  if (typeof src !== 'string') throw new Error('the family drew no sample grid');
  return { kind: 'image', src };
}
