import { describe, expect, it } from 'vitest';
import { type Dataset, labelDataset, REAL } from '../core/dataset.js';
import type { Metrics } from '../core/family.js';
import type { PolicyContext, ScoringModel } from '../core/policy.js';
import { Rng } from '../core/rng.js';
import { type VectorSamples, vectors } from '../core/samples.js';
import { type GaussianModel, gaussianLogDensity } from '../families/gaussian/model.js';
import { LOG_2PI, normalCdf, normalQuantile } from '../math/normal.js';
import { type FilterSelection, filterPolicy } from './filter.js';
import { importanceResample, selectBand } from './verify/selection.js';

const normal = (mean: number, variance: number): GaussianModel => ({
  dim: 1,
  mean: Float64Array.of(mean),
  covariance: Float64Array.of(variance),
});
const N01 = normal(0, 1);

function draw(model: GaussianModel, n: number, rng: Rng): Float64Array {
  const sd = Math.sqrt(model.covariance[0]);
  return Float64Array.from({ length: n }, () => model.mean[0] + sd * rng.normal());
}

/** Generation g's context with one synthetic set from `previous` and generation 0's model the truth N(0, 1). */
function context(
  values: Float64Array,
  previous: GaussianModel,
  history: Metrics[] = [{}],
  rng = new Rng(7),
): PolicyContext<VectorSamples> {
  const models: Record<ScoringModel, GaussianModel> = { 'generation-zero': N01, 'held-out': N01, previous };
  const g = history.length;
  const synthetic: Dataset<VectorSamples>[] = [];
  synthetic[g - 1] = labelDataset(vectors(values, 1), g - 1);
  return {
    generation: g,
    real: labelDataset(vectors(draw(N01, 50, new Rng(99)), 1), REAL),
    synthetic,
    history,
    samplesPerGeneration: values.length,
    rng,
    score: async (which, s) => gaussianLogDensity(models[which], s.values),
  };
}

function fitMle(x: Float64Array): { mean: number; variance: number } {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return { mean, variance: x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length };
}

/** Mass of N(mean, variance) outside the real N(0, 1)'s 1%–99% quantiles: the metrics' tailMass in 1-D. */
function tailMass(mean: number, variance: number): number {
  const z = normalQuantile(0.99);
  const sd = Math.sqrt(variance);
  return normalCdf((-z - mean) / sd) + 1 - normalCdf((z - mean) / sd);
}

const meanAndSe = (x: number[]) => {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const v = x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1);
  return { mean: m, se: Math.sqrt(v / x.length) };
};

describe('selections', () => {
  it('a band drops round(share·n) from each end by score, keeping order and breaking ties by index', () => {
    const scores = Float64Array.of(5, 1, 3, 3, 9, Number.NaN, 7, 2, 8, 4);
    const band = selectBand(scores, 0.2, 0.3);
    // Ascending: NaN(5), 1(1), 2(7), 3(2), 3(3), 4(9), 5(0), 7(6), 8(8), 9(4): drop 2 low, 3 high.
    expect(Array.from(band.kept)).toEqual([0, 2, 3, 7, 9]);
    expect([band.lowerScore, band.upperScore]).toEqual([2, 5]);
    expect(Array.from(selectBand(scores, 0.7, 0).kept)).toEqual([4, 6, 8]); // the top 30%
  });

  it('importance resampling draws in proportion to the weights and reports the effective share', () => {
    const logWeights = Float64Array.of(Math.log(1), Math.log(3), Number.NEGATIVE_INFINITY, Math.log(4));
    const { kept, effectiveShare } = importanceResample(logWeights, 8000, new Rng(3));
    const counts = [0, 0, 0, 0];
    for (const i of kept) counts[i]++;
    // Systematic resampling is exact up to one item per index.
    counts.forEach((c, i) => {
      expect(Math.abs(c - (8000 * [1, 3, 0, 4][i]) / 8)).toBeLessThanOrEqual(1);
    });
    expect(effectiveShare).toBeCloseTo(64 / 26 / 4, 12);
  });
});

describe('filter on a Gaussian family', () => {
  const M = 100;
  const REPS = 2000;

  /** One generation: M draws from N(0, 1), filtered by `selection` under generation 0's likelihood, fitted by MLE. */
  async function fittedTails(selection: FilterSelection | null) {
    const policy = selection && filterPolicy<VectorSamples>({ verifier: 'generation-zero', selection });
    const tails: number[] = [];
    const variances: number[] = [];
    const rng = new Rng(2024);
    for (let r = 0; r < REPS; r++) {
      const values = draw(N01, M, rng);
      const kept = policy ? (await policy.build(context(values, N01))).train.samples.values : values;
      const fit = fitMle(kept as Float64Array);
      tails.push(tailMass(fit.mean, fit.variance));
      variances.push(fit.variance);
    }
    return { tails, variances };
  }

  it('a band keeps more tail mass than no filter (paired Monte Carlo, > 4 standard errors); a top fraction keeps less', async () => {
    const none = await fittedTails(null);
    const band = await fittedTails({ type: 'band', dropUnlikely: 0.01, dropLikely: 0.1 });
    const top = await fittedTails({ type: 'top', fraction: 0.9 });
    const bandGain = meanAndSe(band.tails.map((t, i) => t - none.tails[i]));
    const topGain = meanAndSe(top.tails.map((t, i) => t - none.tails[i]));
    expect(bandGain.mean).toBeGreaterThan(4 * bandGain.se);
    expect(topGain.mean).toBeLessThan(-4 * topGain.se);
    // Closed form: the band keeps 0.10 ≤ P(|x| < ·) ≤ 0.99, whose second moment is
    // 2[aφ(a) − bφ(b) + Φ(b) − Φ(a)] / 0.89 with Φ(a) = 0.55, Φ(b) = 0.995 — above 1, where no filter gives
    // (M − 1)/M below it. The fitted variance (MLE, divided by the 89 kept) follows it to O(1/M).
    const a = normalQuantile(0.55);
    const b = normalQuantile(0.995);
    const phi = (x: number) => Math.exp(-0.5 * x * x - 0.5 * LOG_2PI);
    const secondMoment = (2 * (a * phi(a) - b * phi(b) + 0.995 - 0.55)) / 0.89;
    const bandVariance = meanAndSe(band.variances);
    expect(secondMoment).toBeGreaterThan(1.02);
    expect(Math.abs(bandVariance.mean - secondMoment * (88 / 89))).toBeLessThan(4 * bandVariance.se + 0.01);
    expect(meanAndSe(none.variances).mean).toBeLessThan(1);
  });

  it('keeps provenance and passes a user-supplied verifier through the library API', async () => {
    const values = Float64Array.from({ length: 20 }, (_, i) => i);
    // The user's verifier prefers small values; top half keeps 0..9.
    const policy = filterPolicy<VectorSamples>({
      verifier: (d) => d.samples.values.map((x) => 100 - x),
      selection: { type: 'top', fraction: 0.5 },
    });
    const { train, metrics } = await policy.build(context(values, N01));
    expect(Array.from(train.samples.values)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(train.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(train.origin)).toEqual(new Array(10).fill(0));
    expect(metrics).toMatchObject({ filterCandidates: 20, filterKept: 10, filterFraction: 0.5, filterUpperScore: 100 });
  });

  it('importance resampling towards generation 0 widens a too-narrow generation', async () => {
    const narrow = normal(0, 0.6);
    const values = draw(narrow, 4000, new Rng(5));
    const policy = filterPolicy<VectorSamples>({ verifier: 'generation-zero', selection: { type: 'importance' } });
    const { train, metrics } = await policy.build(context(values, narrow));
    // Weights N(0,1)/N(0,0.6) (of finite variance) turn the N(0, 0.6) draws into ≈ N(0, 1).
    expect(fitMle(train.samples.values).variance).toBeGreaterThan(0.85);
    expect(fitMle(train.samples.values).variance).toBeLessThan(1.1);
    expect(metrics?.filterEffectiveShare).toBeLessThan(1);
  });

  it('rejects a verifier that scores the wrong number of items, and feedback on importance resampling', async () => {
    const bad = filterPolicy<VectorSamples>({ verifier: () => new Float64Array(3), selection: { type: 'importance' } });
    await expect(bad.build(context(new Float64Array(10), N01))).rejects.toThrow(/3 scores for 10 items/);
    expect(() =>
      filterPolicy({ verifier: 'held-out', selection: { type: 'importance' }, feedback: { gain: 1, integral: 0 } }),
    ).toThrow(/not importance/);
  });
});

describe('feedback controller', () => {
  const feedback = { gain: 1, integral: 0.05 };
  const band = { type: 'band', dropUnlikely: 0.01, dropLikely: 0.05 } as const;

  /** Held-out real N(0, 1) data's mean log-likelihood under N(0, s²), in closed form. */
  const heldOut = (s2: number) => -0.5 * (LOG_2PI + Math.log(s2)) - 1 / (2 * s2);

  async function decide(previousVariance: number, selection: FilterSelection, integralBefore?: number) {
    const previous = normal(0, previousVariance);
    const values = draw(previous, 2000, new Rng(11));
    const line: Metrics = { heldOutLogLikelihood: heldOut(previousVariance) };
    if (integralBefore !== undefined) line.feedbackIntegral = integralBefore;
    const policy = filterPolicy({ verifier: 'quality', selection, feedback });
    return (await policy.build(context(values, previous, [line]))).metrics as Metrics;
  }

  it('drops more of the too-likely core after a too-narrow generation, and more of the unlikely side after a too-broad one', async () => {
    const narrow = await decide(0.5, band);
    const broad = await decide(2, band);
    // Gap ½ − 1/(2s²): −½ for s² = ½ and +¼ for s² = 2 (up to the self-likelihood's sampling error).
    expect(narrow.feedbackGap).toBeCloseTo(-0.5, 1);
    expect(broad.feedbackGap).toBeCloseTo(0.25, 1);
    expect(narrow.filterDropLikely).toBeGreaterThan(0.05 + 0.4);
    expect(narrow.filterDropUnlikely).toBe(0.01);
    // Too broad: the setting 0.05 + I − gap turns negative, so no core is dropped and more of the unlikely side is.
    const setting = 0.05 + (broad.feedbackIntegral as number) - (broad.feedbackGap as number);
    expect(setting).toBeLessThan(-0.1);
    expect(broad.filterDropLikely).toBe(0);
    expect(broad.filterDropUnlikely).toBeCloseTo(0.01 - setting, 12);
    // A calibrated generation leaves the band where it was configured.
    const calibrated = await decide(1, band);
    expect(Math.abs((calibrated.filterDropLikely as number) - 0.05)).toBeLessThan(0.05);
  });

  it('keeps a larger top fraction after a too-narrow generation and accumulates its integral from the history', async () => {
    const top = { type: 'top', fraction: 0.5 } as const;
    const narrow = await decide(0.8, top, 0.1);
    const gap = narrow.feedbackGap as number;
    expect(narrow.feedbackIntegral).toBeCloseTo(0.1 - 0.05 * gap, 12);
    expect(narrow.filterFraction).toBeCloseTo(0.5 + (narrow.feedbackIntegral as number) - gap, 12);
    expect((await decide(2, top)).filterFraction).toBeLessThan(0.5);
  });

  it('widens as far as it may when the model gives real data no density (a collapsed generation)', async () => {
    const values = new Float64Array(100).fill(0.3);
    const point = normal(0.3, 0);
    const policy = filterPolicy({ verifier: 'quality', selection: band, feedback });
    const { metrics } = await policy.build(context(values, point, [{ heldOutLogLikelihood: null }]));
    expect(metrics?.feedbackGap).toBeNull();
    expect(metrics?.filterDropLikely).toBeCloseTo(1 - 0.01 - 0.05, 12);
  });
});
