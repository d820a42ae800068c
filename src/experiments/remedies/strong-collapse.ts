/**
 * The strong-collapse measurement (Dohmatob, Feng, Subramonian, Kempe 2025): one fit, not a loop. An n-item training
 * set holds a share p of items from a fixed, biased generator and the rest fresh real draws; the family's own
 * estimator fits it, and the error against the truth is measured over seeds, for n growing 10×, 100× and 1000× and
 * p in {0, 0.1%, 1%}. The generators are what a collapsing loop ends with: for the Gaussian a model drifted two
 * standard deviations and narrowed to half the width, for the categorical one that kept only its most frequent
 * outcome. Every cell carries the closed form of theory/strong-collapse.ts beside the measured mean and its
 * standard error over seeds.
 */
import { deriveRng } from '../../core/rng.js';
import { zipfProbabilities } from '../../data/real-data.js';
import { fitCategorical } from '../../families/categorical/model.js';
import { fitGaussian } from '../../families/gaussian/model.js';
import { sampleCategorical } from '../../math/categorical.js';
import {
  frequencyErrorSquared,
  meanErrorSquared,
  meanErrorSquaredSd,
  mixedCounts,
} from '../../theory/strong-collapse.js';

export interface StrongCollapseSettings {
  /** The smallest training set; the others are it times each multiplier. */
  readonly baseSize: number;
  readonly multipliers: readonly number[];
  /** Synthetic shares p (0 is the clean baseline). */
  readonly fractions: readonly number[];
  readonly seeds: number;
  readonly seed?: number;
}

export const STRONG_COLLAPSE_QUICK: StrongCollapseSettings = {
  baseSize: 100,
  multipliers: [1, 10, 100, 1000],
  fractions: [0, 0.001, 0.01],
  seeds: 8,
};
export const STRONG_COLLAPSE_FULL: StrongCollapseSettings = { ...STRONG_COLLAPSE_QUICK, baseSize: 1000, seeds: 20 };

/** The Gaussian's generator: N(2, 0.5²) against the truth N(0, 1). */
export const GAUSSIAN_GENERATOR = { mean: 2, sd: 0.5 } as const;
/** The categorical's truth: Zipf over 100 outcomes, exponent 1.1; its generator puts all mass on the mode. */
export const CATEGORICAL_OUTCOMES = 100;
const CATEGORICAL_EXPONENT = 1.1;

export type StrongCollapseFamily = 'gaussian' | 'categorical';

export interface StrongCollapseCell {
  readonly family: StrongCollapseFamily;
  readonly fraction: number;
  readonly size: number;
  /**
   * Mean squared error over seeds (the mean's, or the frequencies' squared L2), and its standard error: the
   * closed form's own for the Gaussian (exact law, and the square of a normal is too skewed for a few seeds' spread
   * to estimate it), the seeds' for the categorical (a sum over 100 outcomes, near normal).
   */
  readonly error2: number;
  readonly se: number;
  /** The closed form's expectation at these counts. */
  readonly theory: number;
}

export function strongCollapse(settings: StrongCollapseSettings): StrongCollapseCell[] {
  const truth = zipfProbabilities(CATEGORICAL_OUTCOMES, CATEGORICAL_EXPONENT);
  const generator = new Float64Array(CATEGORICAL_OUTCOMES);
  generator[0] = 1;
  const cells: StrongCollapseCell[] = [];
  for (const family of ['gaussian', 'categorical'] as const)
    for (const fraction of settings.fractions)
      for (const multiplier of settings.multipliers) {
        const size = settings.baseSize * multiplier;
        const counts = mixedCounts(size, fraction);
        const errors: number[] = [];
        for (let s = 0; s < settings.seeds; s++) {
          const rng = deriveRng(settings.seed ?? 1, s, `strong-collapse-${family}-${fraction}-${size}`);
          errors.push(
            family === 'gaussian'
              ? gaussianMeanError(counts.nReal, counts.nSynthetic, rng)
              : frequencyError(counts.nReal, counts.nSynthetic, truth, generator, rng),
          );
        }
        const measured = meanSe(errors);
        if (family === 'categorical') {
          cells.push({ family, fraction, size, ...measured, theory: frequencyErrorSquared(counts, truth, generator) });
          continue;
        }
        const law = { bias: GAUSSIAN_GENERATOR.mean, realVariance: 1, generatorVariance: GAUSSIAN_GENERATOR.sd ** 2 };
        const se = meanErrorSquaredSd(counts, law) / Math.sqrt(settings.seeds);
        cells.push({ family, fraction, size, error2: measured.error2, se, theory: meanErrorSquared(counts, law) });
      }
  return cells;
}

/** The Gaussian family's MLE fit to n_r real and nₛ generated items; its mean's squared error (the truth is 0). */
function gaussianMeanError(nReal: number, nSynthetic: number, rng: ReturnType<typeof deriveRng>): number {
  const x = new Float64Array(nReal + nSynthetic);
  for (let i = 0; i < nReal; i++) x[i] = rng.normal();
  for (let i = nReal; i < x.length; i++) x[i] = GAUSSIAN_GENERATOR.mean + GAUSSIAN_GENERATOR.sd * rng.normal();
  return fitGaussian(x, 1, 'mle').mean[0] ** 2;
}

/** The categorical family's MLE fit to draws from the truth and the generator; squared L2 to the truth. */
function frequencyError(
  nReal: number,
  nSynthetic: number,
  truth: Float64Array,
  generator: Float64Array,
  rng: ReturnType<typeof deriveRng>,
): number {
  const values = new Int32Array(nReal + nSynthetic);
  values.set(sampleCategorical({ probabilities: truth }, nReal, rng));
  values.set(sampleCategorical({ probabilities: generator }, nSynthetic, rng), nReal);
  const q = fitCategorical(values, truth.length).probabilities;
  let e = 0;
  for (let k = 0; k < q.length; k++) e += (q[k] - truth[k]) ** 2;
  return e;
}

function meanSe(xs: readonly number[]): { error2: number; se: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { error2: m, se: sd / Math.sqrt(xs.length) };
}
