/**
 * The first feedback controller, `pi-v1` (kept selectable; the default is `spread`, verify/spread.ts): after each generation it measures the trained model on held-out real data and moves
 * the filter's setting (the top fraction, or where a band's edges sit) for the next one.
 *
 * Its signal is the calibration gap of generation g−1's model q: the mean log-likelihood of held-out real data
 * (the metrics line's heldOutLogLikelihood) minus the mean log-likelihood of q's own samples under q. A model
 * that has narrowed finds real data less likely than its own samples (gap < 0): the filter then keeps more of
 * the unlikely side (a larger top fraction, or more of the too-likely core dropped); a model grown too broad
 * gives gap > 0 and the opposite move (a smaller fraction; no core dropped and more of the unlikely side). For a 1-D Gaussian q = N(μ, s²) fitted to N(0, 1), gap = ½ − (1 + μ²)/(2s²).
 *
 * Its one piece of state, the integral, is read back from the previous metrics line, so the controller keeps no
 * state of its own and a resumed run continues exactly.
 */
import type { MetricValue } from '../../core/family.js';
import type { PolicyContext } from '../../core/policy.js';
import type { Samples } from '../../core/samples.js';
import type { SpreadOptions } from './spread.js';
import { scoreWith } from './verifiers.js';

/** pi-v1: a config that names gain or integral without a controller means this one, as it always did. */
export interface PiOptions {
  readonly controller?: 'pi-v1';
  /** Proportional gain: setting change per nat of gap. */
  readonly gain: number;
  /** Integral gain: change of the accumulated correction per nat of gap, per generation. */
  readonly integral: number;
}

export type FeedbackOptions = PiOptions | SpreadOptions;

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
 * A PI rule around the configured setting: setting_g = base + I_g − gain·gap_g with I_g = I_{g−1} − integral·gap_g.
 * The proportional part reacts to the present error without accumulating it (the plant, log-variance,
 * integrates already, so a pure integral controller oscillates); the small integral part removes the steady
 * offset a base setting leaves. Both are kept in [lo, hi]; an undefined gap (∞ − ∞) counts as 0.
 */
export function nextSetting(
  base: number,
  integralBefore: number,
  gap: number,
  options: PiOptions,
  lo: number,
  hi: number,
): { setting: number; integral: number } {
  const error = Number.isNaN(gap) ? 0 : gap;
  const integral = clamp(integralBefore - options.integral * error, lo - base, hi - base);
  const setting = clamp(base + integral - options.gain * error, lo, hi);
  return { setting, integral };
}

/** The controller's integral after generation g−1, from its metrics line (0 at generation 1). */
export function integralInForce<S extends Samples>(ctx: PolicyContext<S>): number {
  const value = ctx.history[ctx.generation - 1]?.feedbackIntegral;
  return typeof value === 'number' ? value : 0;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}

function asNumber(v: MetricValue | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}
