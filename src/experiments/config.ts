/**
 * The experiment config: one zod schema (config-schema.ts), validated at the edge, built over the family
 * registry, the policy registry and every real-data source. Every error names the field, the bad value and
 * what is allowed; nothing is written before a config passes.
 */
import type { z } from 'zod';
import { REAL_SAMPLE_KINDS, realSchema } from '../data/real-data.js';
import { familyDefinitions, registryVersion } from '../families/index.js';
import { buildExperimentSchema, type ConfigCatalog, type ExperimentConfig, parseConfigWith } from './config-schema.js';

export type { RealConfig } from '../data/real-data.js';
export type { PolicyConfig, SourcePolicyConfig } from '../policies/index.js';
export { POLICY_TYPES } from '../policies/index.js';
export type { ExperimentConfig, ExperimentInput, FamilyConfig } from './config-schema.js';
export { invalidInput } from './config-schema.js';

let built: { version: number; catalog: ConfigCatalog; schema: z.ZodType<ExperimentConfig> } | undefined;

function current(): NonNullable<typeof built> {
  if (built?.version !== registryVersion()) {
    const catalog = { families: familyDefinitions(), realSchema, realKinds: REAL_SAMPLE_KINDS };
    built = { version: registryVersion(), catalog, schema: buildExperimentSchema(catalog) };
  }
  return built;
}

/** The schema over the families registered now (rebuilt after a registerFamily). */
export function experimentSchema(): z.ZodType<ExperimentConfig> {
  return current().schema;
}

/** Validates a config; on failure throws a UsageError listing every problem as `field: message (got value)`. */
export function parseExperimentConfig(input: unknown, source = 'config'): ExperimentConfig {
  const { schema, catalog } = current();
  return parseConfigWith(schema, catalog, input, source);
}
