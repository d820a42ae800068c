/**
 * The `spread` feedback controller (the default; docs/feedback-controller.md has the analysis). It measures how
 * wide the previous generation's model is against real data, location left out, and picks the band on this
 * generation's candidates whose kept items have the width that moves the next fit a damped `step` of the way to
 * the real one.
 *
 * Why not the calibration gap (pi-v1): the gap ½ − (1 + δ²)/(2R) is zero at R = 1 + δ², so it steers the variance to
 * 1 + (mean offset)²; a symmetric band cannot move the mean, the mean random-walks, and the variance follows it.
 *
 * Everything comes from log-likelihood scores, read as a 1-D location-scale (Gaussian) family's: ℓ = c − u²/2,
 * u the item's distance from the model's centre in its own units and c the score at the centre, estimated by the
 * highest score seen. With P the previous model and H the model fitted to held-out real data, each candidate's
 * distances to both centres fix where H sits relative to P (widthFromDistances): the width ratio, the offset and
 * the candidates' signed positions, so the kept items' MLE variance is known before the fit.
 *
 * The controller keeps no state: the width is measured afresh from real data every generation.
 */
import type { Dataset } from '../../core/dataset.js';
import type { PolicyContext } from '../../core/policy.js';
import type { Samples } from '../../core/samples.js';
import { log } from '../../numeric/libm.js';
import { scoreWith } from './verifiers.js';

export interface SpreadOptions {
  readonly controller: 'spread';
  /** Share of the measured log-width error corrected per generation, in (0, 1]; the loop's pole is 1 − step. */
  readonly step?: number;
}

/**
 * 30% of the error a generation: the loop's pole is 0.7, it still converges if the plant's gain is off by up to
 * 2/0.3 ≈ 6.7×, and a measurement error passes into the variance at 0.42× (step/√(1 − (1 − step)²)). Measured
 * over 20 seeds × 500 generations against steps 0.5 and 1 (docs/feedback-controller.md).
 */
export const DEFAULT_STEP = 0.3;

export interface SpreadMeasure {
  /** ln(var(P)/var(H)): the previous model's log-width error against held-out real data. */
  readonly logWidthError: number;
  /** δ²: the squared offset of P's centre from H's, in H's units (what the calibration gap confuses with width). */
  readonly offset2: number;
}

/** Squared distances from the centre, 2(c − ℓ), with c the highest score among `scores` and `also`. */
function squaredDistances(scores: Float64Array, also: Float64Array): Float64Array {
  let c = Number.NEGATIVE_INFINITY;
  for (const x of scores) if (x > c) c = x;
  for (const x of also) if (x > c) c = x;
  return scores.map((x) => 2 * (c - x));
}

/**
 * Measures the previous model P (generation g−1's) against held-out real data, from the candidates' P scores
 * `own`. The measure is null when the held-out likelihood or a score is not finite (a collapsed model gives real
 * data no density: the filter then widens as far as it may).
 */
export async function measureSpread<S extends Samples>(
  ctx: PolicyContext<S>,
  candidates: Dataset<S>,
  own: Float64Array,
): Promise<{ measure: SpreadMeasure | null; distances: Float64Array; positions: Float64Array | null }> {
  const realP = await scoreWith(ctx, 'previous', ctx.real.samples);
  const realH = await scoreWith(ctx, 'held-out', ctx.real.samples);
  const ownH = await scoreWith(ctx, 'held-out', candidates.samples);
  const distances = squaredDistances(own, realP);
  const line = ctx.history[ctx.generation - 1];
  if (line && !('heldOutLogLikelihood' in line))
    throw new Error(
      "filter feedback: controller 'spread' measures against heldOutLogLikelihood, which this family's metrics lack; use feedback: { controller: 'pi-v1' }",
    );
  const heldOut = line?.heldOutLogLikelihood;
  const none = { measure: null, distances, positions: null };
  if (typeof heldOut !== 'number' || ![own, realP, realH, ownH].every(allFinite)) return none;
  const cP = Math.max(max(own), max(realP));
  const fromH = squaredDistances(ownH, realH);
  const a = 2 * (cP - heldOut);
  const y = widthFromDistances(distances, fromH, a);
  if (!(y > 0) || !Number.isFinite(y)) return none;
  const x = Math.max(0, a - y);
  return {
    measure: { logWidthError: -log(y), offset2: x / y },
    distances,
    positions: signedPositions(distances, fromH, x, y),
  };
}

/**
 * The candidates' signed positions in P's units (up to one common sign), z = (z² + X − Y·b²)/(2h), once H's
 * centre is far enough from P's (|h| ≥ MIN_OFFSET) for the division to be stable; null otherwise. They give the
 * kept items' own mean, which the MLE subtracts: without them its ~1/k share is only corrected on average.
 */
function signedPositions(z2: Float64Array, b2: Float64Array, x: number, y: number): Float64Array | null {
  if (x < MIN_OFFSET * MIN_OFFSET) return null;
  const h = Math.sqrt(x);
  return z2.map((z, i) => (z + x - y * b2[i]) / (2 * h));
}

/** Below this offset (in P's units) the signed positions are left out: their error grows as 1/|h|. */
const MIN_OFFSET = 0.3;

/**
 * Y = var(H)/var(P) from the candidates' squared distances z² (P's units) and b² (H's units) and the held-out
 * set's mean squared distance A in P's units. In one dimension, with h the position of H's centre in P's units
 * and X = h², each candidate satisfies z·h = (z² + X − Y·b²)/2 exactly; H is the held-out set's MLE fit, so
 * A = Y + X exactly. Squaring the identity (the sign of z is not in a score) and averaging gives a quadratic in
 * Y with no sampling-error term; of its roots the one nearest the moment estimate (A + ρ²)/(B + 1) is taken
 * (that one drops the candidates' mean, ~1/√M, which the exact one keeps).
 */
export function widthFromDistances(z2: Float64Array, b2: Float64Array, a: number): number {
  let rho = 0;
  let bMean = 0;
  let k2 = 0;
  let km = 0;
  let m2 = 0;
  for (let i = 0; i < z2.length; i++) {
    const k = z2[i] + a;
    const m = 1 + b2[i];
    rho += z2[i];
    bMean += b2[i];
    k2 += k * k;
    km += k * m;
    m2 += m * m;
  }
  const n = z2.length;
  [rho, bMean, k2, km, m2] = [rho / n, bMean / n, k2 / n, km / n, m2 / n];
  const guess = (a + rho) / (bMean + 1);
  // (M2/4)·Y² + (ρ² − KM/2)·Y + (K2/4 − A·ρ²) = 0
  const qa = m2 / 4;
  const qb = rho - km / 2;
  const qc = k2 / 4 - a * rho;
  const disc = qb * qb - 4 * qa * qc;
  if (!(disc >= 0)) return guess;
  const roots = [(-qb - Math.sqrt(disc)) / (2 * qa), (-qb + Math.sqrt(disc)) / (2 * qa)];
  return roots.reduce((best, r) => (Math.abs(r - guess) < Math.abs(best - guess) ? r : best));
}

function max(x: Float64Array): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of x) if (v > m) m = v;
  return m;
}

export interface SpreadBand {
  readonly dropLikely: number;
  readonly dropUnlikely: number;
  /** The kept items' variance over the previous model's, as the next MLE fit will see it. */
  readonly keptRatio: number;
}

/**
 * The band whose kept items' mean square distance (less the MLE's loss of one degree of freedom to the kept
 * mean) is nearest in log to `target`. The band moves along one path, as pi-v1's signed setting did: to widen,
 * more of the likely core is dropped (the configured unlikely share stays); to narrow, the core is kept whole
 * and more of the unlikely side is dropped. Moving along one side keeps the most items for a given width — a
 * thin shell of a few items hits the width on average but fits a noisy mean and variance. At least `minKept` of
 * the candidates are kept; `likely: false` (a top fraction) only ever drops the unlikely side.
 */
export function bandForWidth(
  distances: Float64Array,
  target: number,
  configured: { dropLikely: number; dropUnlikely: number },
  minKept: number,
  likely = true,
  positions: Float64Array | null = null,
): SpreadBand {
  const n = distances.length;
  const order = Array.from(distances.keys()).sort((i, j) => distances[i] - distances[j] || i - j);
  const prefix = new Float64Array(n + 1);
  const signed = new Float64Array(n + 1);
  for (let r = 0; r < n; r++) {
    prefix[r + 1] = prefix[r] + distances[order[r]];
    signed[r + 1] = signed[r] + (positions ? positions[order[r]] : 0);
  }
  const most = n - Math.max(2, Math.ceil(minKept * n));
  const u0 = Math.min(most, Math.round(configured.dropUnlikely * n));
  let best = { d: 0, u: u0, cost: Number.POSITIVE_INFINITY, ratio: Number.NaN };
  const consider = (d: number, u: number) => {
    const k = n - d - u;
    const square = (prefix[n - u] - prefix[d]) / k;
    const centre = (signed[n - u] - signed[d]) / k;
    // The MLE measures spread about the kept items' mean: exactly with positions, else its expected 1/k share.
    const ratio = positions ? square - centre * centre : square * ((k - 1) / k);
    const cost = Math.abs(log(ratio / target));
    if (cost < best.cost) best = { d, u, cost, ratio };
  };
  if (likely) for (let d = 0; d <= most - u0; d++) consider(d, u0);
  for (let u = u0; u <= most; u++) consider(0, u);
  if (!Number.isFinite(best.cost)) return { ...configured, keptRatio: Number.NaN };
  return { dropLikely: best.d / n, dropUnlikely: best.u / n, keptRatio: best.ratio };
}

function allFinite(x: Float64Array): boolean {
  return x.every(Number.isFinite);
}
