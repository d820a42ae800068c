/**
 * The policy registry: every data policy a config can name, its schema, what it needs of a family, and how it
 * is built. A policy's own module holds its logic; this file is the one place that knows them all.
 */
import { z } from 'zod';
import type { DataPolicy } from '../core/policy.js';
import type { SampleKind } from '../core/samples.js';
import { accumulatePolicy } from './accumulate.js';
import { accumulateSubsamplePolicy } from './accumulate-subsample.js';
import { filterPolicy } from './filter.js';
import { isolatePolicy } from './isolate.js';
import { mixPolicy } from './mix.js';
import { replacePolicy } from './replace.js';
import { filterOptions, isolateOptions, webOptions } from './schemas.js';
import { webPolicy } from './web.js';

/** Policies that build a training set on their own; `filter` verifies the candidates of one of them. */
const sourcePolicies = [
  z.object({ type: z.literal('replace') }).strict(),
  z
    .object({
      type: z.literal('mix'),
      realFraction: z.number().min(0).max(1).default(0.1),
      /** 'fresh' (absent): a new random share of the real data each generation; 'fixed': the same items every generation. */
      realSelection: z.enum(['fresh', 'fixed']).optional(),
    })
    .strict(),
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

/** What a policy needs of the family it feeds; checked against the family's definition when a config is read. */
export interface PolicyRequirements {
  /** The sample kinds it can work on (default: all). */
  readonly sampleKinds?: readonly SampleKind[];
  /** It detects a watermark: its own settings or the family's. */
  readonly watermark?: boolean;
}

/** The requirements of a policy config, its source's included. */
export function policyRequirements(config: PolicyConfig): PolicyRequirements {
  const source = 'source' in config && config.source ? policyRequirements(config.source) : {};
  if (config.type === 'isolate') return { ...source, sampleKinds: ['sequences'], watermark: !config.watermark };
  return source;
}

export function createPolicy(config: PolicyConfig): DataPolicy {
  switch (config.type) {
    case 'replace':
      return replacePolicy();
    case 'mix':
      return mixPolicy(config.realFraction, config.realSelection);
    case 'accumulate':
      return accumulatePolicy();
    case 'accumulate-subsample':
      return accumulateSubsamplePolicy();
    case 'web':
      return webPolicy(config);
    case 'filter':
      return filterPolicy({
        verifier: config.verifier,
        selection: config.selection,
        feedback: config.feedback,
        labels: config.labels,
        source: config.source && createPolicy(config.source),
      });
    case 'isolate':
      return isolatePolicy({
        // Absent only when a config skipped parseExperimentConfig: isolatePolicy says what to set.
        watermark: config.watermark as NonNullable<typeof config.watermark>,
        threshold: config.threshold,
        source: config.source && createPolicy(config.source),
      }) as unknown as DataPolicy;
  }
}
