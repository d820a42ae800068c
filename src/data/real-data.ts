/** Builds a run's RealData from its config: a known distribution drawn with the run's seed, or the user's file. */
import { z } from 'zod';
import { labelDataset, REAL } from '../core/dataset.js';
import { UsageError } from '../core/errors.js';
import type { RealData, Truth } from '../core/real-data.js';
import { type SampleKind, takeSamples, vectors } from '../core/samples.js';
import {
  buildKnownRealData,
  KNOWN_REAL_SAMPLE_KINDS,
  type KnownRealConfig,
  type RealDataSpec as KnownRealDataSpec,
  knownRealSchemas,
  knownTruth,
  realDraw,
} from './known-real.js';
import { buildMnistRealData, mnistRealSchema } from './mnist-real.js';
import { buildTextRealData, buildWikiTextRealData, textRealSchema, wikiTextRealSchema } from './text-real.js';
import { readVectorFile } from './vector-file.js';

export { zipfProbabilities } from './known-real.js';

export const realSchema = z.discriminatedUnion('type', [
  ...knownRealSchemas,
  z
    .object({
      type: z.literal('file'),
      path: z.string().min(1),
      /** Share of the file held out for evaluation, never trained on. */
      heldOutFraction: z.number().gt(0).lt(1).default(0.2),
      /** Recorded when the run starts; a resumed run refuses a file that changed. */
      sha256: z.string().optional(),
    })
    .strict(),
  wikiTextRealSchema,
  textRealSchema,
  mnistRealSchema,
]);
export type RealConfig = z.infer<typeof realSchema>;

/** The kind of sample each real source makes: a family learns the sources of its own sample kind. */
export const REAL_SAMPLE_KINDS: Readonly<Record<RealConfig['type'], SampleKind>> = {
  ...KNOWN_REAL_SAMPLE_KINDS,
  file: 'vectors',
  wikitext: 'sequences',
  text: 'sequences',
  mnist: 'images',
};

/** What buildRealData needs of an experiment config. */
export type RealDataSpec = KnownRealDataSpec<RealConfig>;

const isKnown = (real: RealConfig): real is KnownRealConfig => real.type in KNOWN_REAL_SAMPLE_KINDS;

/** The closed-form truth a real config describes (known distributions only), with every field checked. */
export function truthOf(real: RealConfig): Truth | undefined {
  return isKnown(real) ? knownTruth(real) : undefined;
}

/**
 * The real pool (realSize items, default M) and held-out data. Known distributions are drawn from the stream
 * (seed, −1, 'real'), so they are the same on every resume; a file is split by a seeded shuffle.
 */
export function buildRealData(config: RealDataSpec): RealData {
  const { poolSize, rng } = realDraw(config);
  const real = config.real;
  if (real.type === 'wikitext') return buildWikiTextRealData(real, poolSize);
  if (real.type === 'text') return buildTextRealData(real, poolSize);
  if (real.type === 'mnist') return buildMnistRealData(real, poolSize, config.heldOutSize, rng);
  if (real.type === 'file') {
    const file = readVectorFile(real.path);
    if (real.sha256 && real.sha256 !== file.sha256) {
      throw new UsageError(
        `real.path: '${real.path}' changed since the run started (sha256 ${file.sha256}, recorded ${real.sha256}); restore the original file to resume`,
      );
    }
    const all = vectors(file.values, file.dim);
    const order = rng.permutation(file.count);
    const heldOutCount = Math.max(1, Math.round(real.heldOutFraction * file.count));
    const trainCount = file.count - heldOutCount;
    if (poolSize > trainCount) {
      throw new UsageError(
        `realSize: ${poolSize} exceeds the ${trainCount} training rows of '${real.path}'; lower realSize or heldOutFraction`,
      );
    }
    return {
      pool: labelDataset(takeSamples(all, order.subarray(0, poolSize)), REAL),
      heldOut: takeSamples(all, order.subarray(trainCount)),
      description: `${file.count} vectors of dimension ${file.dim} from ${real.path}`,
    };
  }
  return buildKnownRealData({ ...config, real });
}
