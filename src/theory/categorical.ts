/**
 * Closed forms for a categorical distribution refitted by its empirical frequencies to M draws of itself every
 * generation: the Wright–Fisher model of population genetics (neutral drift, no mutation).
 */
import { exp, log, pow } from '../numeric/libm.js';
import type { TheoryCheck } from './check.js';

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

/**
 * P(an outcome of probability p is lost by generation n), n = 0..generations−1, in the branching limit of the
 * Wright–Fisher chain: while an outcome is rare its count out of M is Binomial(M, x/M) ≈ Poisson(x), a critical
 * Galton–Watson process with Poisson(1) offspring (Poisson(M/R) from generation 0's R real draws). One copy's
 * line is extinct within n refits with q_n = e^{q_{n−1} − 1}, q_0 = 0, and X₀ ≈ Poisson(Rp), so
 * P(lost by n) = exp(−Rp (1 − q′_n)) with q′_n = exp((M/R)(q_{n−1} − 1)). The error is O(x/M), small for the rare
 * outcomes whose loss is in question; used where the exact chain is too large to step (Zipf at M = 10,000).
 */
export function branchingLossProbabilities(p: number, M: number, generations: number, R = M): Float64Array {
  const out = new Float64Array(generations);
  let q = 0; // q_{n−1}: a generation-1 copy's line extinct within n − 1 refits
  for (let n = 0; n < generations; n++) {
    const first = n === 0 ? 0 : exp((M / R) * (q - 1));
    out[n] = exp(-R * p * (1 - first));
    if (n > 0) q = exp(q - 1);
  }
  return out;
}

/** Whether the exact chain for `distinct` probabilities is small enough to step (as expectedSupport decides). */
const chainFits = (distinct: number, M: number, R: number, generations: number) => {
  const size = Math.max(M, R);
  return size <= 2000 && distinct * generations * size * size <= 1e8;
};

/**
 * P(lost by generation n) for each probability in `ps`, exact (the chain) when it is small enough to step, else
 * the branching limit; `exact` says which.
 */
export function lossProbabilities(
  ps: readonly number[],
  M: number,
  generations: number,
  R = M,
): { loss: Float64Array[]; exact: boolean } {
  const distinct = [...new Set(ps)];
  const exact = chainFits(distinct.length, M, R, generations);
  const byP = new Map<number, Float64Array>();
  for (const p of distinct)
    byP.set(
      p,
      exact
        ? survivalProbabilities(p, M, generations, R).map((s) => 1 - s)
        : branchingLossProbabilities(p, M, generations, R),
    );
  return { loss: ps.map((p) => byP.get(p) as Float64Array), exact };
}

export interface TailRank {
  /**
   * k*: the smallest rank (1-based, outcomes by decreasing real probability) whose chance of still being present
   * at generation n is below ½: the rank beyond which mass is lost (Dohmatob et al. 2024, "A Tale of Tails").
   * Survival falls with rank, so k* − 1 outcomes are more likely kept than not; k* also minimises the expected
   * number of outcomes misclassified by "ranks below k kept, the rest lost" (each rank moved adds 1 − 2·survival).
   */
  readonly kStar: Int32Array;
  /** Where survival falls below 0.975 and below 0.025: the ranks where loss is uncertain, theory's 95% zone. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly exact: boolean;
}

/** k* per generation for the real probabilities `p0` (any order; ranked here). K + 1 when no rank falls below. */
export function tailRank(p0: ArrayLike<number>, M: number, generations: number, R = M): TailRank {
  const ranked = Array.from(p0)
    .filter((p) => p > 0)
    .sort((a, b) => b - a);
  const { loss, exact } = lossProbabilities(ranked, M, generations, R);
  const firstBelow = (g: number, level: number) => {
    const k = loss.findIndex((l) => 1 - l[g] < level);
    return k < 0 ? ranked.length + 1 : k + 1;
  };
  const at = (level: number) => Int32Array.from({ length: generations }, (_, g) => firstBelow(g, level));
  return { kStar: at(0.5), lo: at(0.975), hi: at(0.025), exact };
}

/**
 * The measured counterpart of k* from which outcomes are still present: `present[k]` is the share of seeds (0..1)
 * holding rank k + 1. Returns the k minimising Σ_{j<k} (1 − present) + Σ_{j≥k} present, the realised number of
 * outcomes misclassified by the threshold (ties: the smallest such k), which k* minimises in expectation.
 */
export function measuredTailRank(present: ArrayLike<number>): number {
  let errors = 0;
  for (let j = 0; j < present.length; j++) errors += present[j]; // k = 1: every rank called lost
  let best = errors;
  let bestK = 1;
  for (let k = 1; k <= present.length; k++) {
    errors += 1 - 2 * present[k - 1]; // rank k moves to the kept side
    if (errors < best) {
      best = errors;
      bestK = k + 1;
    }
  }
  return bestK;
}

/** Σ qᵢ² and Σ qᵢ³. */
function powerSums(q: ArrayLike<number>): [number, number] {
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < q.length; i++) {
    s2 += q[i] * q[i];
    s3 += q[i] * q[i] * q[i];
  }
  return [s2, s3];
}

/**
 * The mean and variance of the Gini–Simpson diversity of one refit: the frequencies of m draws from q. With
 * counts c ~ Multinomial(m, q) and falling factorials m⁽ʲ⁾, E Σc² = m⁽²⁾S₂ + m and
 * E (Σc²)² = m⁽⁴⁾S₂² + m⁽³⁾(4S₃ + 2S₂) + m⁽²⁾(6S₂ + 1) + m (Sₖ = Σqᵢᵏ; from c⁴ = c⁽⁴⁾ + 6c⁽³⁾ + 7c⁽²⁾ + c
 * and E c_i⁽ᵃ⁾c_j⁽ᵇ⁾ = m⁽ᵃ⁺ᵇ⁾qᵢᵃqⱼᵇ), so the step's variance is exact.
 */
export function giniSimpsonStep(q: ArrayLike<number>, m: number): { mean: number; variance: number } {
  const [s2, s3] = powerSums(q);
  const m2 = m * (m - 1);
  const m3 = m2 * (m - 2);
  const m4 = m3 * (m - 3);
  const first = m2 * s2 + m;
  const second = m4 * s2 * s2 + m3 * (4 * s3 + 2 * s2) + m2 * (6 * s2 + 1) + m;
  return { mean: 1 - first / (m * m), variance: Math.max(0, second - first * first) / (m * m * m * m) };
}

/**
 * One run under replace against Wright–Fisher, step by step: given generation g − 1's fit q, generation g's
 * Gini–Simpson has the exact mean (1 − 1/M)(1 − Σq²) and variance of giniSimpsonStep (generation 0: R draws of
 * the truth p₀). The deviations D_g = GS_g − E[GS_g | q] are martingale differences, so
 * z = Σ D_g / √(Σ Var[GS_g | q]) is close to N(0, 1) over many generations (the martingale central limit
 * theorem), whatever path the run took. Needs each generation's fitted probabilities. A fit that loses diversity
 * too fast or too slowly accumulates a drift in Σ D_g that the z sees.
 */
export function giniSimpsonCheck(
  probabilities: readonly ArrayLike<number>[],
  p0: ArrayLike<number>,
  M: number,
  R = M,
): TheoryCheck | undefined {
  const n = probabilities.length - 1;
  if (n < 1) return undefined;
  let drift = 0;
  let variance = 0;
  for (let g = 0; g <= n; g++) {
    const step = giniSimpsonStep(g === 0 ? p0 : probabilities[g - 1], g === 0 ? R : M);
    drift += giniSimpson(probabilities[g]) - step.mean;
    variance += step.variance;
  }
  if (!(variance > 0)) return undefined;
  const sd = Math.sqrt(variance);
  const z = drift / sd;
  return {
    name: `Gini–Simpson steps against Wright–Fisher over ${n + 1} refits (Σ deviation)`,
    measured: drift,
    expected: 0,
    sd,
    z,
    inBand: Math.abs(z) < 3.5,
  };
}
