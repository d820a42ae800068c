/**
 * Tail mass of vector models: how much probability the model still puts outside the real distribution's central
 * region, per coordinate. The real distribution puts exactly 2% outside its own 1%–99% quantiles; a collapsing
 * model's figure falls towards 0 as it forgets the tails.
 */
import { type GaussianMixture, marginal, marginalCdf, marginalQuantile } from '../math/mixture.js';

export interface TailBounds {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

export const TAIL_LEVEL = 0.01;

/** Per-coordinate 1% and 99% quantiles of a known mixture. */
export function mixtureTailBounds(truth: GaussianMixture, level = TAIL_LEVEL): TailBounds {
  const lower = new Float64Array(truth.dim);
  const upper = new Float64Array(truth.dim);
  for (let r = 0; r < truth.dim; r++) {
    const mg = marginal(truth, r);
    lower[r] = marginalQuantile(mg, level);
    upper[r] = marginalQuantile(mg, 1 - level);
  }
  return { lower, upper };
}

/** Per-coordinate empirical quantiles of real data (n × d), when the truth is not known in closed form. */
export function empiricalTailBounds(points: Float64Array, d: number, level = TAIL_LEVEL): TailBounds {
  const n = points.length / d;
  const lower = new Float64Array(d);
  const upper = new Float64Array(d);
  const column = new Float64Array(n);
  for (let r = 0; r < d; r++) {
    for (let i = 0; i < n; i++) column[i] = points[i * d + r];
    column.sort();
    lower[r] = column[Math.floor(level * (n - 1))];
    upper[r] = column[Math.ceil((1 - level) * (n - 1))];
  }
  return { lower, upper };
}

/** The model's mass outside [lower, upper], averaged over coordinates, in closed form. */
export function mixtureTailMass(model: GaussianMixture, bounds: TailBounds): number {
  let s = 0;
  for (let r = 0; r < model.dim; r++) {
    const mg = marginal(model, r);
    s += marginalCdf(mg, bounds.lower[r]) + 1 - marginalCdf(mg, bounds.upper[r]);
  }
  return s / model.dim;
}
