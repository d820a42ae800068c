/**
 * What a family folder exports: everything the rest of the lab needs to know about one model family, in one
 * value. The config schema, the CLI's help and `list`, scheduling and reports are all built from these
 * definitions, so a new family is one folder plus one line in families/index.ts (or one `registerFamily` call
 * from outside the package).
 */
import type { z } from 'zod';
import type { Metrics, ModelFamily } from '../core/family.js';
import type { RunData } from '../core/run-store.js';
import type { SampleKind, Samples } from '../core/samples.js';
import type { CollapseDefinition } from '../metrics/definitions.js';
import type { RunGroup } from '../plots/groups.js';
import type { Section } from '../plots/html.js';
import type { Figure } from '../plots/plot.js';
import type { TheoryCheck } from '../theory/check.js';
import type { WatermarkOptions } from '../watermark/index.js';

/** Report figures of a family (each optional; every run also gets the generic metric curves). */
export interface FamilyFigures {
  /** Figures of one run, shown before the generic metric curves. */
  run?(run: RunData): Figure[];
  /** Figures overlaying several groups of runs of this family. */
  compare?(groups: readonly RunGroup[]): Figure[];
  /** Sections of one run's report after its figures: tables, generated text. */
  sections?(run: RunData): Section[];
}

/**
 * A named experiment that starts from this family: `collapse-lab run <name>`. The config is an experiment
 * config as a user would write it (validated when a run resolves it), so defaults stay in the schemas.
 */
export interface Preset {
  readonly description: string;
  readonly config: PresetConfig;
}

export interface PresetConfig {
  readonly name: string;
  readonly generations: number;
  readonly samplesPerGeneration: number;
  readonly family: { readonly type: string } & Record<string, unknown>;
  readonly real: { readonly type: string } & Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** What a theory check reads of a run's config. */
export interface TheoryConfig {
  readonly samplesPerGeneration: number;
  readonly realSize?: number;
  readonly policy: { readonly type: string };
  readonly family: { readonly type: string } & Record<string, unknown>;
  readonly real: { readonly type: string } & Record<string, unknown>;
}

/**
 * Theory's expectation of one of the family's metrics per generation, with a band where the law is known: what
 * the report's charts and the playground draw beside the measured curve.
 */
export interface TheoryCurve {
  readonly metric: string;
  /** The legend's name for it, e.g. "theory E[σ²ₙ]". */
  readonly label: string;
  /** What the band is ("central 90% of σ²ₙ"), when there is one. */
  readonly band?: string;
  readonly rows: readonly {
    readonly generation: number;
    readonly value: number;
    readonly lo?: number;
    readonly hi?: number;
  }[];
}

/** The schema every family's options share: an object whose `type` is the family's name. */
export type FamilyOptionsSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape>;

export interface FamilyDefinition<
  Options extends { type: string } = { type: string },
  S extends Samples = Samples,
  M = unknown,
> {
  /** The name configs use (`family.type`). */
  readonly name: string;
  /** One line for `--help` and `list`. */
  readonly description: string;
  /** The kind of sample the family learns; real data and policies are matched to it. */
  readonly sampleKind: SampleKind;
  /** The family's config section, with defaults; its `type` is a literal of `name`. */
  readonly options: FamilyOptionsSchema;
  /** Builds the family from validated options. */
  create(options: Options): ModelFamily<S, M>;
  /** Presets that start from this family, by name. */
  readonly presets?: Readonly<Record<string, Preset>>;
  /**
   * Rough cost of one generation per sample, relative to a 1-D Gaussian fit (1), for scheduling the longest runs
   * first: measured, e.g. an EM generation ~20, an n-gram generation ~2,000.
   */
  readonly weight: number;
  readonly figures?: FamilyFigures;
  /** The fewest items a fit needs (e.g. one per mixture component); configs asking for fewer are refused. */
  minimumSamples?(options: Options): { readonly count: number; readonly why: string } | undefined;
  /**
   * The metric that measures the family's diversity (a variance, a spread, Gini–Simpson...): its log's slope over
   * generations is the run's collapse rate (theory/collapse-rate.ts), comparable across families.
   */
  readonly diversity?: string;
  /** Options that hold file paths: a config file's relative paths there resolve against the file's folder. */
  readonly paths?: readonly string[];
  /** What kind of collapse each of the family's own metrics shows (metrics/definitions.ts has the shared ones). */
  readonly definitions?: Readonly<Record<string, readonly CollapseDefinition[]>>;
  /**
   * The run's numbers against the family's closed forms, when its config has one (a Gaussian under replace):
   * recorded in summary.json, and flagged in the report when out of band.
   */
  theory?(config: TheoryConfig, metrics: readonly Metrics[]): readonly TheoryCheck[];
  /** Theory's curve for a run of `generations` with this config, when a closed form applies to it. */
  theoryCurve?(config: TheoryConfig, generations: number): TheoryCurve | undefined;
  /** The watermark this family's generators embed, if configured: what `isolate` detects by default. */
  watermark?(options: Options): (WatermarkOptions & { readonly watermarkShare: number }) | undefined;
}

/** Type-checks a definition against its own options type, then forgets that type for the registry. */
export function defineFamily<Options extends { type: string }, S extends Samples, M>(
  definition: FamilyDefinition<Options, S, M>,
): FamilyDefinition {
  return definition as unknown as FamilyDefinition;
}
