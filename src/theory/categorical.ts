/**
 * Closed forms for a categorical distribution refitted by its empirical frequencies to M draws of itself every
 * generation: the Wright–Fisher model of population genetics (neutral drift, no mutation).
 */
import { log, pow } from '../numeric/libm.js';

/** Gini–Simpson diversity 1 − Σ pᵢ²: the chance that two draws differ. */
export function giniSimpson(p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i] * p[i];
  return 1 - s;
}

/**
 * E[Gini–Simpson] after `refits` resamplings of M draws from p₀: exactly (1 − 1/M)^refits (1 − Σ p₀²), because
 * each resampling keeps two draws' chance of differing, times (1 − 1/M) for picking the same draw twice.
 * Generation n of a run has had n + 1 refits (generation 0 fits the real draws).
 */
export function expectedGiniSimpson(p0: ArrayLike<number>, M: number, refits: number): number {
  return pow(1 - 1 / M, refits) * giniSimpson(p0);
}

/** Kimura's diffusion approximation to the mean number of refits until one outcome is left: −2M Σ (1−pᵢ) ln(1−pᵢ). */
export function meanTimeToFixation(p0: ArrayLike<number>, M: number): number {
  let s = 0;
  for (let i = 0; i < p0.length; i++) if (p0[i] > 0 && p0[i] < 1) s += (1 - p0[i]) * log(1 - p0[i]);
  return -2 * M * s;
}

/** P(outcome of probability p is absent from one draw of M): the chance a refit loses it at once. */
export function lossProbability(p: number, M: number): number {
  return pow(1 - p, M);
}
