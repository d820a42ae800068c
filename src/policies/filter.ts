/**
 * `filter`: verified synthetic data (Feng et al. 2024, "Beyond Model Collapse"). A source policy (by default
 * `replace`: the previous generation's samples) proposes candidates; a verifier scores each one; a selection
 * keeps the top fraction, a band (dropping both the too-likely and the too-unlikely, which guards the tails),
 * or an importance resample towards the verifier's distribution. An optional feedback controller moves the
 * fraction or the band each generation from the trained model's fit to held-out real data (verify/feedback.ts).
 *
 * Every figure behind a decision goes into the generation's metrics line under `filter*` and `feedback*`.
 */
import { type Dataset, datasetSize, takeItems } from '../core/dataset.js';
import type { Metrics } from '../core/family.js';
import type { DataPolicy, PolicyContext } from '../core/policy.js';
import type { Samples } from '../core/samples.js';
import { exp } from '../numeric/libm.js';
import { replacePolicy } from './replace.js';
import {
  type FeedbackOptions,
  integralInForce,
  measureCalibration,
  nextSetting,
  type PiOptions,
} from './verify/feedback.js';
import { importanceResample, selectBand } from './verify/selection.js';
import { bandForWidth, DEFAULT_STEP, measureSpread, type SpreadOptions } from './verify/spread.js';
import { namedVerifier, scoreWith, type Verifier, type VerifierName } from './verify/verifiers.js';

export type FilterSelection =
  /** Keep the highest-scoring `fraction`. */
  | { readonly type: 'top'; readonly fraction: number }
  /** Drop the lowest-scoring `dropUnlikely` share and the highest-scoring `dropLikely` share. */
  | { readonly type: 'band'; readonly dropUnlikely: number; readonly dropLikely: number }
  /**
   * Resample the candidates (as many as there are) with weights p(x)/q(x): p the verifier's likelihood, q the
   * previous generation's model that made them — towards the real distribution as the verifier knows it.
   */
  | { readonly type: 'importance' };

export interface FilterOptions<S extends Samples = Samples> {
  /** A named verifier (a config's choice) or the user's own function (library API). */
  readonly verifier: VerifierName | Verifier<S>;
  readonly selection: FilterSelection;
  /** Adjusts the top fraction or the band's edges each generation; not for importance resampling. */
  readonly feedback?: FeedbackOptions;
  /** Proposes the candidates; default `replace`. */
  readonly source?: DataPolicy<S>;
}

interface Band {
  readonly dropLikely: number;
  readonly dropUnlikely: number;
}

/** Smallest share of the candidates a controlled selection keeps. */
const MIN_KEPT = 0.05;

export function filterPolicy<S extends Samples = Samples>(options: FilterOptions<S>): DataPolicy<S> {
  const { selection, feedback } = options;
  checkSelection(selection);
  const step = feedback?.controller === 'spread' ? feedback.step : undefined;
  if (step !== undefined && !(step > 0 && step <= 1))
    throw new RangeError(
      `filter: feedback step is the share of the error corrected per generation, in (0, 1]; got ${step}`,
    );
  // spread computes the kept items' width from the previous model's scores, so the band must rank by them.
  if (feedback?.controller === 'spread' && options.verifier !== 'quality')
    throw new RangeError("filter: feedback controller 'spread' needs verifier 'quality' (or use controller 'pi-v1')");
  if (feedback && selection.type === 'importance')
    throw new RangeError('filter: feedback adjusts a top fraction or a band, not importance resampling');
  const source = options.source ?? (replacePolicy() as unknown as DataPolicy<S>);
  const verify = typeof options.verifier === 'function' ? options.verifier : namedVerifier<S>(options.verifier);
  return {
    name: 'filter',
    retains: source.retains,
    async build(ctx) {
      const proposed = await source.build(ctx);
      const candidates = proposed.train;
      const scores = await verify(candidates, ctx);
      if (scores.length !== datasetSize(candidates))
        throw new RangeError(`filter: the verifier gave ${scores.length} scores for ${datasetSize(candidates)} items`);
      const metrics: Metrics = { ...proposed.metrics, filterCandidates: datasetSize(candidates) };
      const kept = await select(ctx, candidates, scores, metrics);
      metrics.filterKept = kept.length;
      metrics.filterMeanScore = meanFinite(scores, kept);
      return { train: takeItems(candidates, kept), metrics };
    },
  };

  /** pi-v1: the calibration gap through a PI rule (verify/feedback.ts); its integral is read back from history. */
  async function piSetting(
    ctx: PolicyContext<S>,
    configured: Band,
    options: PiOptions,
    metrics: Metrics,
  ): Promise<Band> {
    const calibration = await measureCalibration(ctx);
    metrics.feedbackHeldOutLogLikelihood = calibration.heldOut;
    metrics.feedbackSelfLogLikelihood = finiteOrNull(calibration.self);
    metrics.feedbackGap = finiteOrNull(calibration.gap);
    const integral = integralInForce(ctx);
    if (selection.type === 'top') {
      // Too narrow (gap < 0): keep more, so fewer unlikely items are cut.
      const next = nextSetting(selection.fraction, integral, calibration.gap, options, MIN_KEPT, 1);
      metrics.feedbackIntegral = next.integral;
      return { dropLikely: 0, dropUnlikely: 1 - next.setting };
    }
    // One signed setting moves the band: above 0 it is the too-likely share dropped (too narrow: drop more of
    // the core, which widens what the next model sees); below 0, once no core is dropped, a too-broad model
    // has more of its unlikely side cut on top of the configured share.
    const room = 1 - configured.dropUnlikely - MIN_KEPT;
    const next = nextSetting(configured.dropLikely, integral, calibration.gap, options, -room, room);
    metrics.feedbackIntegral = next.integral;
    return {
      dropLikely: Math.max(0, next.setting),
      dropUnlikely: configured.dropUnlikely - Math.min(0, next.setting),
    };
  }

  /**
   * spread: the previous model's width against real data, location left out (verify/spread.ts), and the band on
   * these candidates whose kept items move the next fit `step` of the way (in log-variance) to the real width.
   */
  async function spreadSetting(
    ctx: PolicyContext<S>,
    candidates: Dataset<S>,
    configured: Band,
    options: SpreadOptions,
    metrics: Metrics,
  ): Promise<Band> {
    const own = await scoreWith(ctx, 'previous', candidates.samples);
    const { measure, distances, positions } = await measureSpread(ctx, candidates, own);
    metrics.feedbackLogWidthError = measure ? measure.logWidthError : null;
    metrics.feedbackOffset2 = measure ? measure.offset2 : null;
    // No measure (real data has no density under a collapsed model): widen as far as the band allows.
    const target = measure ? exp(-(options.step ?? DEFAULT_STEP) * measure.logWidthError) : 1e12;
    const band = bandForWidth(distances, target, configured, MIN_KEPT, selection.type === 'band', positions);
    metrics.feedbackKeptRatio = finiteOrNull(band.keptRatio);
    return band;
  }

  async function select(
    ctx: PolicyContext<S>,
    candidates: Dataset<S>,
    scores: Float64Array,
    metrics: Metrics,
  ): Promise<ArrayLike<number>> {
    if (selection.type === 'importance') {
      const proposal = await scoreWith(ctx, 'previous', candidates.samples);
      const logWeights = scores.map((s, i) => s - proposal[i]);
      const { kept, effectiveShare } = importanceResample(logWeights, scores.length, ctx.rng);
      metrics.filterEffectiveShare = effectiveShare;
      return kept;
    }
    let dropUnlikely = selection.type === 'band' ? selection.dropUnlikely : 1 - selection.fraction;
    let dropLikely = selection.type === 'band' ? selection.dropLikely : 0;
    if (feedback?.controller === 'spread') {
      const next = await spreadSetting(ctx, candidates, { dropLikely, dropUnlikely }, feedback, metrics);
      dropLikely = next.dropLikely;
      dropUnlikely = next.dropUnlikely;
    } else if (feedback) {
      const next = await piSetting(ctx, { dropLikely, dropUnlikely }, feedback, metrics);
      dropLikely = next.dropLikely;
      dropUnlikely = next.dropUnlikely;
    }
    const band = selectBand(scores, dropUnlikely, dropLikely);
    if (selection.type === 'top') metrics.filterFraction = 1 - dropUnlikely;
    else {
      metrics.filterDropUnlikely = dropUnlikely;
      metrics.filterDropLikely = dropLikely;
    }
    metrics.filterLowerScore = band.lowerScore;
    metrics.filterUpperScore = band.upperScore;
    return band.kept;
  }
}

function checkSelection(s: FilterSelection): void {
  const share = (x: number) => x >= 0 && x <= 1;
  if (s.type === 'top' && !(s.fraction > 0 && s.fraction <= 1))
    throw new RangeError(`filter: top fraction must be in (0, 1], got ${s.fraction}`);
  if (s.type === 'band' && !(share(s.dropUnlikely) && share(s.dropLikely) && s.dropUnlikely + s.dropLikely < 1))
    throw new RangeError(
      `filter: band drops must be shares in [0, 1] that sum below 1, got ${s.dropUnlikely} and ${s.dropLikely}`,
    );
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Mean of the finite scores of the kept items (null if none is finite). */
function meanFinite(scores: Float64Array, kept: ArrayLike<number>): number | null {
  let s = 0;
  let n = 0;
  for (let i = 0; i < kept.length; i++) {
    const x = scores[kept[i]];
    if (Number.isFinite(x)) {
      s += x;
      n++;
    }
  }
  return n > 0 ? s / n : null;
}
