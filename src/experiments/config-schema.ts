/**
 * The experiment config's schema, built over a catalog of families and real sources: the CLI's catalog is the
 * whole registry (config.ts), the playground's the families a browser runs. One schema, so a config means the
 * same thing, with the same defaults, wherever it runs.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { SampleKind } from '../core/samples.js';
import type { RealConfig } from '../data/real-data.js';
import type { FamilyDefinition } from '../families/definition.js';
import { type PolicyConfig, policyRequirements, policySchema } from '../policies/index.js';
import { sizeProblems } from './config-bounds.js';
import { assertConfigShape } from './config-shape.js';
import { isStopRule } from './stop-rule.js';

/** A family's section: its `type` names a registered family, whose own schema checks the rest. */
export type FamilyConfig = { readonly type: string } & Readonly<Record<string, unknown>>;

export function experimentShape<F extends z.ZodType<FamilyConfig>, R extends z.ZodType<RealConfig>>(
  family: F,
  real: R,
) {
  return z
    .object({
      name: z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore')
        .default('run'),
      /** How legends and tables name the run ("filter + feedback"); the default says what differs between runs. */
      label: z.string().min(1).max(80).optional(),
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
      family,
      real,
      /** Generations whose samples and model go to samples/ (defaults depend on the run's length). */
      snapshotGenerations: z.array(z.number().int().min(0)).optional(),
      /** How many items of the synthetic set a snapshot keeps (images are large: a VAE preset keeps fewer). */
      snapshotSize: z.number().int().min(0).default(2000),
      /** Minimum seconds between checkpoints; 0 checkpoints every generation. */
      checkpointSeconds: z.number().min(0).default(2),
      /** End the run once a metric crosses a bound, e.g. "variance<1e-12" (a collapsed run needs no more generations). */
      stopWhen: z
        .string()
        .refine(isStopRule, 'expected <metric><op><number> with op one of <, <=, >, >=, e.g. "variance<1e-12"')
        .optional(),
      /** The preset this config came from, and the package version that resolved it: provenance, not input. */
      preset: z.string().optional(),
      version: z.string().optional(),
    })
    .strict();
}

/** The shape of every config, whatever its family: what code outside the family folders may rely on. */
export const anyFamily = z.object({ type: z.string() }).catchall(z.unknown());
type TypedShape = ReturnType<typeof experimentShape<typeof anyFamily, z.ZodType<RealConfig>>>;
export type ExperimentConfig = z.infer<TypedShape>;
export type ExperimentInput = z.input<TypedShape>;

/** The families and real sources a schema is built over. */
export interface ConfigCatalog {
  readonly families: readonly FamilyDefinition[];
  readonly realSchema: z.ZodType<RealConfig>;
  readonly realKinds: Readonly<Record<string, SampleKind>>;
}

/** The schema over a catalog: each family's own section, and what may go together. */
export function buildExperimentSchema(catalog: ConfigCatalog): z.ZodType<ExperimentConfig> {
  const options = catalog.families.map((d) => d.options) as unknown as [z.ZodObject, ...z.ZodObject[]];
  const family = z.discriminatedUnion('type', options) as unknown as typeof anyFamily;
  return experimentShape(family, catalog.realSchema).superRefine((config, ctx) => {
    const definition = catalog.families.find((d) => d.name === config.family.type) as FamilyDefinition;
    for (const problem of compatibilityProblems(catalog, definition, config.family, config.real, config.policy))
      ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of sizeProblems(config, definition)) ctx.addIssue({ code: 'custom', ...problem });
  }) as unknown as z.ZodType<ExperimentConfig>;
}

/** Validates a config against `schema`; on failure throws a UsageError listing every problem. */
export function parseConfigWith(
  schema: z.ZodType<ExperimentConfig>,
  catalog: ConfigCatalog,
  input: unknown,
  source = 'config',
): ExperimentConfig {
  assertConfigShape(input, source);
  const result = schema.safeParse(input);
  if (result.success) return withDetector(catalog, result.data);
  throw invalidInput(input, result.error, source);
}

/**
 * What cannot go together, decided from the family's sample kind: real data of another kind, a policy that
 * works on another kind, `isolate` with no watermark to detect.
 */
function compatibilityProblems(
  catalog: ConfigCatalog,
  family: FamilyDefinition,
  options: FamilyConfig,
  real: RealConfig,
  policy: PolicyConfig,
): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const kind = family.sampleKind;
  const realKind = catalog.realKinds[real.type];
  if (realKind !== kind) {
    const fitting = Object.entries(catalog.realKinds).flatMap(([type, k]) => (k === kind ? [`'${type}'`] : []));
    const learners = catalog.families.flatMap((d) => (d.sampleKind === realKind ? [`'${d.name}'`] : []));
    problems.push({
      path: ['real', 'type'],
      message: `family '${family.name}' cannot learn real data of type '${real.type}'; ${
        fitting.length > 0 ? `use ${orList(fitting)}` : `no real source makes ${kind}`
      } ('${real.type}' makes ${realKind}${learners.length > 0 ? `, for family ${orList(learners)}` : ''})`,
    });
  }
  const needs = policyRequirements(policy);
  if (needs.sampleKinds && !needs.sampleKinds.includes(kind)) {
    problems.push({
      path: ['policy', 'type'],
      message: `policy '${policy.type}' works on ${orList(needs.sampleKinds)}; family '${family.name}' learns ${kind}`,
    });
  } else if (needs.watermark && !family.watermark?.(options)) {
    problems.push({
      path: ['policy', 'type'],
      message: `policy '${policy.type}' detects the family's watermark: set family.watermark (watermarkShare may be 0)`,
    });
  }
  return problems;
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A UsageError listing every problem of a failed parse as `field: message (got value)`. */
export function invalidInput(input: unknown, error: z.ZodError, source: string): UsageError {
  const lines = error.issues.map((issue) => {
    const field = issue.path.join('.') || '(root)';
    const got = valueAt(input, issue.path);
    if (got === undefined && issue.code === 'invalid_type')
      return `  ${field}: missing; ${issue.message.replace(/^Invalid input: /, '')}`;
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)?.slice(0, 80)})`; // depth-checked above
    return `  ${field}: ${issue.message}${shown}`;
  });
  return new UsageError(`invalid ${source}:\n${lines.join('\n')}`);
}

/** `isolate` looks for the family's watermark: a policy that names no detector settings gets the family's. */
function withDetector(catalog: ConfigCatalog, config: ExperimentConfig): ExperimentConfig {
  const { policy, family } = config;
  if (policy.type !== 'isolate' || policy.watermark) return config;
  const watermark = catalog.families.find((d) => d.name === family.type)?.watermark?.(family);
  return watermark ? { ...config, policy: { ...policy, watermark } } : config;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
