/**
 * The experiment config: one zod schema, validated at the edge. Every error names the field, the bad value
 * and what is allowed; nothing is written before a config passes.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { categoricalOptions } from '../families/categorical/index.js';
import { gaussianOptions } from '../families/gaussian/index.js';
import { gmmOptions } from '../families/gmm/index.js';
import { ngramOptions } from '../families/ngram/index.js';
import { filterOptions, isolateOptions, webOptions } from '../policies/schemas.js';
import { textRealSchema, wikiTextRealSchema } from './lm.js';

const finite = z.number().finite();
const vector = z.array(finite).min(1);
const matrix = z.array(vector).min(1);

/** Policies that build a training set on their own; `filter` verifies the candidates of one of them. */
const sourcePolicies = [
  z.object({ type: z.literal('replace') }).strict(),
  z.object({ type: z.literal('mix'), realFraction: z.number().min(0).max(1).default(0.1) }).strict(),
  z.object({ type: z.literal('accumulate') }).strict(),
  z.object({ type: z.literal('accumulate-subsample') }).strict(),
  webOptions,
] as const;
export const sourcePolicySchema = z.discriminatedUnion('type', [...sourcePolicies]);
export type SourcePolicyConfig = z.infer<typeof sourcePolicySchema>;

export const policySchema = z.discriminatedUnion('type', [
  ...sourcePolicies,
  filterOptions(sourcePolicySchema),
  isolateOptions(sourcePolicySchema),
]);
export type PolicyConfig = z.infer<typeof policySchema>;
export const POLICY_TYPES = policySchema.options.map((o) => o.shape.type.value);

export const realSchema = z.discriminatedUnion('type', [
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
]);
export type RealConfig = z.infer<typeof realSchema>;

export const familySchema = z.discriminatedUnion('type', [
  categoricalOptions,
  gaussianOptions,
  gmmOptions,
  ngramOptions,
]);
export type FamilyConfig = z.infer<typeof familySchema>;

export const experimentSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore')
      .default('run'),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    /** Number of fitted generations, numbered 0..generations-1; generation 0 trains on real data. */
    generations: z.number().int().min(1),
    /** M: the size of every synthetic set. */
    samplesPerGeneration: z.number().int().min(1),
    /** Size of the real training pool; defaults to samplesPerGeneration. */
    realSize: z.number().int().min(1).optional(),
    /** Held-out real items for evaluation (generated presets; file data uses real.heldOutFraction). */
    heldOutSize: z.number().int().min(1).default(10_000),
    policy: policySchema.default({ type: 'replace' }),
    family: familySchema,
    real: realSchema,
    /** Generations whose samples and model go to samples/ (defaults depend on the run's length). */
    snapshotGenerations: z.array(z.number().int().min(0)).optional(),
    /** Minimum seconds between checkpoints; 0 checkpoints every generation. */
    checkpointSeconds: z.number().min(0).default(2),
    /** The preset this config came from, and the package version that resolved it: provenance, not input. */
    preset: z.string().optional(),
    version: z.string().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // `isolate` detects a watermark: its own settings, or the family's (filled in by parseExperimentConfig).
    const familyWatermark = config.family.type === 'ngram' && config.family.watermark;
    if (config.policy.type === 'isolate' && !config.policy.watermark && !familyWatermark) {
      ctx.addIssue({
        code: 'custom',
        path: ['policy', 'type'],
        message: "policy 'isolate' detects the family's watermark: set family.watermark (watermarkShare may be 0)",
      });
    }
    // Text families learn token streams: only text data, and text data only for them.
    const textReal = config.real.type === 'wikitext' || config.real.type === 'text';
    if ((config.family.type === 'ngram') !== textReal) {
      ctx.addIssue({
        code: 'custom',
        path: ['real', 'type'],
        message: `family '${config.family.type}' cannot learn real data of type '${config.real.type}'; ${
          config.family.type === 'ngram' ? "use 'wikitext' or 'text'" : "'wikitext' and 'text' need family 'ngram'"
        }`,
      });
      return;
    }
    if (textReal) return;
    const categoricalReal = config.real.type === 'categorical' || config.real.type === 'zipf';
    if ((config.family.type === 'categorical') !== categoricalReal) {
      ctx.addIssue({
        code: 'custom',
        path: ['real', 'type'],
        message: `family '${config.family.type}' cannot learn real data of type '${config.real.type}'; ${
          config.family.type === 'categorical' ? "use 'categorical' or 'zipf'" : "use 'gaussian', 'mixture' or 'file'"
        }`,
      });
    }
  });
export type ExperimentConfig = z.infer<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;

/** Validates a config; on failure throws a UsageError listing every problem as `field: message (got value)`. */
export function parseExperimentConfig(input: unknown, source = 'config'): ExperimentConfig {
  const result = experimentSchema.safeParse(input);
  if (result.success) return withDetector(result.data);
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.join('.') || '(root)';
    const got = valueAt(input, issue.path);
    if (got === undefined && issue.code === 'invalid_type')
      return `  ${field}: missing; ${issue.message.replace(/^Invalid input: /, '')}`;
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)?.slice(0, 80)})`;
    return `  ${field}: ${issue.message}${shown}`;
  });
  throw new UsageError(`invalid ${source}:\n${lines.join('\n')}`);
}

/** `isolate` looks for the family's watermark: a policy that names no detector settings gets the family's. */
function withDetector(config: ExperimentConfig): ExperimentConfig {
  const { policy, family } = config;
  if (policy.type !== 'isolate' || policy.watermark || family.type !== 'ngram' || !family.watermark) return config;
  const watermark = { ...family.watermark, watermarkShare: family.watermarkShare ?? 1 };
  return { ...config, policy: { ...policy, watermark } };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
