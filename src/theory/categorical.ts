/**
 * Closed forms for a categorical distribution refitted by its empirical frequencies to M draws of itself every
 * generation: the Wright–Fisher model of population genetics (neutral drift, no mutation).
 */
import { exp, log, pow } from '../numeric/libm.js';

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

/** log k! for k = 0..n. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = out[k - 1] + log(k);
  return out;
}

/** Row x of the chain's step from a count out of `from` draws to one out of M: Binomial(M, x/from). */
function binomialRow(x: number, from: number, M: number, lf: Float64Array, out: Float64Array): void {
  const q = x / from;
  if (q >= 1) {
    out.fill(0);
    out[M] = 1;
    return;
  }
  const lq = log(q);
  const l1q = log(1 - q);
  for (let y = 0; y <= M; y++) out[y] = exp(lf[M] - lf[y] - lf[M - y] + y * lq + (M - y) * l1q);
}

/**
 * P(an outcome of probability p is still present at generation n), for n = 0..generations−1, exactly: its
 * count is a Wright–Fisher chain, X₀ ~ Binomial(R, p) from the R real draws generation 0 fits, then
 * X' ~ Binomial(M, X/size) each refit, absorbed at 0 (a lost outcome never returns). O(generations · M²).
 */
export function survivalProbabilities(p: number, M: number, generations: number, R = M): Float64Array {
  const out = new Float64Array(generations);
  const lf = logFactorials(Math.max(M, R));
  let dist = new Float64Array(R + 1);
  binomialRow(p * R, R, R, lf, dist); // X₀ ~ Binomial(R, p)
  let size = R;
  const row = new Float64Array(M + 1);
  // The step matrix out of M draws is the same every generation: built once, lazily.
  let step: Float64Array[] | undefined;
  for (let g = 0; g < generations; g++) {
    out[g] = 1 - dist[0];
    if (g === generations - 1 || out[g] < 1e-300) break;
    const next = new Float64Array(M + 1);
    next[0] = dist[0];
    for (let x = 1; x <= size; x++) {
      if (dist[x] === 0) continue;
      let r: Float64Array;
      if (size === M) {
        step ??= [];
        if (!step[x]) {
          step[x] = new Float64Array(M + 1);
          binomialRow(x, M, M, lf, step[x]);
        }
        r = step[x];
      } else {
        binomialRow(x, size, M, lf, row);
        r = row;
      }
      for (let y = 0; y <= M; y++) next[y] += dist[x] * r[y];
    }
    dist = next;
    size = M;
  }
  return out;
}

/**
 * E[number of outcomes still present] at each generation under replace: Σᵢ P(outcome i present), exact. Undefined
 * when the chain is too large to step (M > 2,000, or more than ~10⁸ operations over the distinct probabilities).
 */
export function expectedSupport(
  p0: ArrayLike<number>,
  M: number,
  generations: number,
  R = M,
): Float64Array | undefined {
  const distinct = new Map<number, number>();
  for (let i = 0; i < p0.length; i++) if (p0[i] > 0) distinct.set(p0[i], (distinct.get(p0[i]) ?? 0) + 1);
  const size = Math.max(M, R);
  if (size > 2000 || distinct.size * generations * size * size > 1e8) return undefined;
  const total = new Float64Array(generations);
  for (const [p, count] of distinct) {
    const survival = survivalProbabilities(p, M, generations, R);
    for (let g = 0; g < generations; g++) total[g] += count * survival[g];
  }
  return total;
}
