/**
 * The feedback controller: after each generation it measures the trained model on held-out real data and moves
 * the filter's setting (the top fraction, or the share of too-likely items a band drops) for the next one.
 *
 * Its signal is the calibration gap of generation g−1's model q: the mean log-likelihood of held-out real data
 * (the metrics line's heldOutLogLikelihood) minus the mean log-likelihood of q's own samples under q. A model
 * that has narrowed finds real data less likely than its own samples (gap < 0): the filter then keeps more of
 * the unlikely side (a larger top fraction, or more of the too-likely dropped); a model grown too broad gives
 * gap > 0 and the opposite move. For a 1-D Gaussian q = N(μ, s²) fitted to N(0, 1), gap = ½ − (1 + μ²)/(2s²).
 *
 * The setting in force is read back from the previous metrics line, so the controller keeps no state of its own
 * and a resumed run continues exactly.
 */
import type { MetricValue } from '../../core/family.js';
import type { PolicyContext } from '../../core/policy.js';
import type { Samples } from '../../core/samples.js';
import { scoreWith } from './verifiers.js';

export interface FeedbackOptions {
  /** Setting change per nat of gap. */
  readonly gain: number;
  /** Largest change of the setting in one generation. */
  readonly maxStep: number;
}

export interface Calibration {
  /** Mean held-out real log-likelihood of generation g−1's model; null where it is −∞. */
  readonly heldOut: number | null;
  /** Mean log-likelihood of that model's own samples. */
  readonly self: number;
  /** heldOut − self; −∞ when the model gives real data no density at all. */
  readonly gap: number;
}

/** Measures generation g−1's model (ctx.generation − 1) for the controller. */
export async function measureCalibration<S extends Samples>(ctx: PolicyContext<S>): Promise<Calibration> {
  const g = ctx.generation - 1;
  const own = ctx.synthetic[g];
  if (!own) throw new Error(`filter feedback: generation ${g}'s synthetic set is not available`);
  const self = mean(await scoreWith(ctx, 'previous', own.samples));
  const line = ctx.history[g];
  let heldOut: number | null;
  if (line && 'heldOutLogLikelihood' in line) heldOut = asNumber(line.heldOutLogLikelihood);
  else {
    // Families whose metrics lack it: the real pool under the same model (real, though not held out).
    const real = mean(await scoreWith(ctx, 'previous', ctx.real.samples));
    heldOut = Number.isFinite(real) ? real : null;
  }
  const gap = heldOut === null ? Number.NEGATIVE_INFINITY : heldOut - self;
  return { heldOut, self, gap };
}

/**
 * The next setting: previous − gain·gap, the move capped at maxStep and the result kept in [lo, hi]. An
 * undefined gap (∞ − ∞) leaves the setting where it was.
 */
export function nextSetting(
  previous: number,
  gap: number,
  options: FeedbackOptions,
  lo: number,
  hi: number,
): { setting: number; step: number } {
  const wanted = Number.isNaN(gap) ? 0 : -options.gain * gap;
  const step = Math.max(-options.maxStep, Math.min(options.maxStep, wanted));
  const setting = Math.max(lo, Math.min(hi, previous + step));
  return { setting, step: setting - previous };
}

/** The setting generation g−1 used, from its metrics line, or `initial` if it had none (generation 1). */
export function settingInForce<S extends Samples>(ctx: PolicyContext<S>, key: string, initial: number): number {
  const value = ctx.history[ctx.generation - 1]?.[key];
  return typeof value === 'number' ? value : initial;
}

function asNumber(v: MetricValue | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}
