/**
 * The known real distributions (Gaussian, mixture, categorical, Zipf): their config schemas, their closed-form
 * truth, and the real pool and held-out set drawn from them with the run's seed. Nothing here reads a file, so
 * browsers run it too (the playground); real-data.ts adds the file-backed sources.
 */
import { z } from 'zod';
import { labelDataset, REAL } from '../core/dataset.js';
import { UsageError } from '../core/errors.js';
import type { RealData, Truth } from '../core/real-data.js';
import { deriveRng, type Rng } from '../core/rng.js';
import { categories, type SampleKind, type Samples, vectors } from '../core/samples.js';
import { sampleCategorical } from '../math/categorical.js';
import { cholesky } from '../math/linalg.js';
import { prepareMixture, sampleMixture } from '../math/mixture.js';
import { pow } from '../numeric/libm.js';

const finite = z.number().finite();
const vector = z.array(finite).min(1);
const matrix = z.array(vector).min(1);

/** The schemas of the known distributions, one per `real.type`. */
export const knownRealSchemas = [
  z
    .object({
      type: z.literal('gaussian'),
      mean: vector.default([0]),
      /** Defaults to the identity. */
      covariance: matrix.optional(),
    })
    .strict(),
  z
    .object({ type: z.literal('mixture'), weights: vector, means: matrix, covariances: z.array(matrix).min(1) })
    .strict(),
  z.object({ type: z.literal('categorical'), probabilities: vector }).strict(),
  z.object({ type: z.literal('zipf'), outcomes: z.number().int().min(2), exponent: z.number().positive() }).strict(),
] as const;
export const knownRealSchema = z.discriminatedUnion('type', [...knownRealSchemas]);
export type KnownRealConfig = z.infer<typeof knownRealSchema>;

export const KNOWN_REAL_SAMPLE_KINDS: Readonly<Record<KnownRealConfig['type'], SampleKind>> = {
  gaussian: 'vectors',
  mixture: 'vectors',
  categorical: 'categories',
  zipf: 'categories',
};

/** What a real-data builder needs of an experiment config. */
export interface RealDataSpec<R = KnownRealConfig> {
  readonly seed: number;
  readonly real: R;
  readonly realSize?: number;
  readonly samplesPerGeneration: number;
  readonly heldOutSize: number;
}

/**
 * The size of the real pool (realSize, default M) and the stream real data are drawn from: (seed, −1, 'real'),
 * the same on every resume and wherever the run is built.
 */
export function realDraw(config: RealDataSpec<unknown>): { poolSize: number; rng: Rng } {
  return { poolSize: config.realSize ?? config.samplesPerGeneration, rng: deriveRng(config.seed, -1, 'real') };
}

/** Zipf's law over outcomes 1..K: p(k) ∝ k^(−s). */
export function zipfProbabilities(outcomes: number, exponent: number): Float64Array {
  const p = new Float64Array(outcomes);
  let total = 0;
  for (let k = 0; k < outcomes; k++) total += p[k] = pow(k + 1, -exponent);
  for (let k = 0; k < outcomes; k++) p[k] /= total;
  return p;
}

/** The closed-form truth of a known distribution, with every field checked. */
export function knownTruth(real: KnownRealConfig): Truth {
  switch (real.type) {
    case 'gaussian': {
      const d = real.mean.length;
      const cov = real.covariance ?? identity(d);
      return checkedMixture([1], [real.mean], [cov], 'real');
    }
    case 'mixture':
      return checkedMixture(real.weights, real.means, real.covariances, 'real');
    case 'categorical': {
      const total = real.probabilities.reduce((a, b) => a + b, 0);
      if (real.probabilities.some((p) => p < 0) || Math.abs(total - 1) > 1e-9) {
        throw new UsageError(`real.probabilities: must be non-negative and sum to 1 (they sum to ${total})`);
      }
      return { type: 'categorical', probabilities: Float64Array.from(real.probabilities) };
    }
    case 'zipf':
      return { type: 'categorical', probabilities: zipfProbabilities(real.outcomes, real.exponent) };
  }
}

function identity(d: number): number[][] {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
}

function checkedMixture(weights: number[], means: number[][], covariances: number[][][], field: string): Truth {
  const k = weights.length;
  const d = means[0].length;
  if (means.length !== k || covariances.length !== k) {
    throw new UsageError(
      `${field}: ${k} weights need ${k} means and ${k} covariances (got ${means.length} and ${covariances.length})`,
    );
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.some((w) => w <= 0) || Math.abs(total - 1) > 1e-9) {
    throw new UsageError(`${field}.weights: must be positive and sum to 1 (they sum to ${total})`);
  }
  const flatMeans = new Float64Array(k * d);
  const flatCov = new Float64Array(k * d * d);
  for (let j = 0; j < k; j++) {
    if (means[j].length !== d)
      throw new UsageError(`${field}.means[${j}]: has ${means[j].length} values; every mean needs ${d}`);
    flatMeans.set(means[j], j * d);
    const cov = covariances[j];
    if (cov.length !== d || cov.some((row) => row.length !== d)) {
      throw new UsageError(`${field}.covariances[${j}]: must be a ${d}×${d} matrix`);
    }
    for (let r = 0; r < d; r++)
      for (let c = 0; c < d; c++) {
        if (Math.abs(cov[r][c] - cov[c][r]) > 1e-12)
          throw new UsageError(`${field}.covariances[${j}]: must be symmetric`);
        flatCov[j * d * d + r * d + c] = cov[r][c];
      }
    if (!cholesky(flatCov.subarray(j * d * d, (j + 1) * d * d), d)) {
      throw new UsageError(`${field}.covariances[${j}]: must be positive definite`);
    }
  }
  return { type: 'mixture', dim: d, weights: Float64Array.from(weights), means: flatMeans, covariances: flatCov };
}

/**
 * The real pool (realSize items, default M) and held-out data, drawn from the stream (seed, −1, 'real'), so
 * they are the same on every resume.
 */
export function buildKnownRealData(config: RealDataSpec): RealData {
  const { poolSize, rng } = realDraw(config);
  const real = config.real;
  const truth = knownTruth(real);
  const draw = (n: number): Samples =>
    truth.type === 'categorical'
      ? categories(sampleCategorical({ probabilities: truth.probabilities }, n, rng), truth.probabilities.length)
      : vectors(sampleMixture(prepareMixture(truth), n, rng), truth.dim);
  const pool = draw(poolSize);
  const heldOut = draw(config.heldOutSize);
  return { pool: labelDataset(pool, REAL), heldOut, truth, description: describeKnown(real) };
}

function describeKnown(real: KnownRealConfig): string {
  switch (real.type) {
    case 'gaussian':
      return `a ${real.mean.length}-D Gaussian`;
    case 'mixture':
      return `a ${real.weights.length}-component mixture in ${real.means[0].length}-D`;
    case 'categorical':
      return `a categorical distribution over ${real.probabilities.length} outcomes`;
    case 'zipf':
      return `Zipf's law over ${real.outcomes} outcomes, exponent ${real.exponent}`;
  }
}
