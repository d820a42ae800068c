/**
 * The `mitigations` comparison: the `mitigations` preset (a 1-D Gaussian refitted by MLE, one seed, the same
 * real data) under each way of building the next training set — the collapse baselines (replace, mix 10%,
 * accumulate), the contaminated web (and its first mover's snapshot), and verification: a band filter on the
 * family's own score, with and without feedback from held-out real data, and importance resampling towards a
 * held-out real-data model. The Gaussian's collapse is known in closed form (variance → 0, log-variance a random
 * walk with negative drift) and a generation costs microseconds, so each policy's effect on variance, tail mass
 * and held-out likelihood is plain and the whole set runs in seconds.
 *
 * `mitigationConfigs` is the set (for the comparison report); `lmMitigationConfigs` is its language-model
 * counterpart for provenance watermarks and `isolate` (below). `runComparison` runs either set and returns each
 * config's final-generation metrics under its label.
 */
import type { Metrics } from '../core/family.js';
import { type ExperimentInput, parseExperimentConfig } from './config.js';
import { type Executor, summariesOf } from './executor.js';
import { inProcessExecutor } from './executors/in-process.js';
import { findPreset } from './presets.js';

type PolicyInput = NonNullable<ExperimentInput['policy']>;

export interface MitigationConfig {
  /** A short label for tables and legends, e.g. 'mix 10%'. */
  readonly label: string;
  readonly config: ExperimentInput;
}

/**
 * The filters' verifier is the family's own score (the generator's likelihood of its samples): a band on it is
 * symmetric about the current model, so dropping the too-likely core widens the next fit. Without feedback the
 * band is fixed and cannot know how much widening the run needs; with feedback, held-out real data sets it.
 * (A band on a fixed reference's likelihood — generation 0's — is not symmetric once the model has drifted:
 * dropping the items nearest the reference's mode then removes one side and speeds the collapse.)
 */
const band = { type: 'band', dropUnlikely: 0.01, dropLikely: 0.05 } as const;

export const MITIGATION_POLICIES: readonly { readonly label: string; readonly policy: PolicyInput }[] = [
  { label: 'replace', policy: { type: 'replace' } },
  { label: 'mix 10%', policy: { type: 'mix', realFraction: 0.1 } },
  { label: 'accumulate', policy: { type: 'accumulate' } },
  { label: 'web', policy: { type: 'web' } },
  { label: 'web snapshot', policy: { type: 'web', snapshot: true } },
  { label: 'filter', policy: { type: 'filter', verifier: 'quality', selection: band } },
  {
    label: 'filter + feedback',
    policy: { type: 'filter', verifier: 'quality', selection: band, feedback: { controller: 'spread' } },
  },
  // The first controller, kept to show what the redesign changed (docs/feedback-controller.md).
  {
    label: 'filter + feedback (pi-v1)',
    policy: {
      type: 'filter',
      verifier: 'quality',
      selection: band,
      feedback: { controller: 'pi-v1', gain: 1, integral: 0.05 },
    },
  },
  {
    label: 'filter importance',
    policy: { type: 'filter', verifier: 'held-out', selection: { type: 'importance' } },
  },
];

/** The comparison's configs: the `mitigations` preset with each policy, all with the same seed. */
export function mitigationConfigs(seed = 1, overrides: Partial<ExperimentInput> = {}): MitigationConfig[] {
  const base = findPreset('mitigations')?.config as ExperimentInput;
  return MITIGATION_POLICIES.map(({ label, policy }) => ({
    label,
    config: {
      ...base,
      ...overrides,
      name: `mitigations-${label.replace(/[^A-Za-z0-9]+/g, '-')}`,
      label,
      preset: 'mitigations',
      seed,
      policy,
    },
  }));
}

/**
 * The language-model side: the paper's protocol with a Kneser–Ney trigram at ngram-quick's size (the first
 * 2,000 blocks of WikiText-2, generations 0..4), where generators may watermark their text (Kirchenbauer et al.
 * 2023, γ 0.25, δ 2) and `isolate` drops what the detector flags before training. Baselines sample plainly
 * (replace, accumulate, web); `accumulate, all watermarked` shows what the watermark's bias alone does to the
 * data; `isolate` over accumulate and over web runs at watermarkShare 1, 0.5 and 0 — the share of generators
 * that watermark, which bounds what isolation can catch.
 */
export const LM_MITIGATION_RUNS: readonly {
  readonly label: string;
  readonly policy: PolicyInput;
  readonly watermarkShare: number;
}[] = [
  { label: 'replace', policy: { type: 'replace' }, watermarkShare: 0 },
  { label: 'accumulate', policy: { type: 'accumulate' }, watermarkShare: 0 },
  { label: 'web', policy: { type: 'web' }, watermarkShare: 0 },
  { label: 'accumulate, all watermarked', policy: { type: 'accumulate' }, watermarkShare: 1 },
  ...[1, 0.5, 0].map((share) => ({
    label: `isolate, share ${share}`,
    policy: { type: 'isolate', source: { type: 'accumulate' } } as const,
    watermarkShare: share,
  })),
  ...[1, 0.5, 0].map((share) => ({
    label: `isolate web, share ${share}`,
    policy: { type: 'isolate', source: { type: 'web' } } as const,
    watermarkShare: share,
  })),
];

/** ngram-quick's sizes, with the family's default watermark (γ 0.25, δ 2, key 15485863, one token of context). */
const LM_BASE: ExperimentInput = {
  generations: 5,
  samplesPerGeneration: 2000,
  family: { type: 'ngram', order: 3 },
  real: { type: 'wikitext' },
};

/**
 * The LM comparison's configs, all with one seed. `overrides` replace the base's fields (e.g. `real` for a small
 * text of one's own, sizes); the family's watermark and its share are set per run on top of them.
 */
export function lmMitigationConfigs(seed = 1, overrides: Partial<ExperimentInput> = {}): MitigationConfig[] {
  const base = { ...LM_BASE, ...overrides };
  const family = base.family;
  if (family.type !== 'ngram') throw new RangeError('lmMitigationConfigs: the family must be ngram');
  return LM_MITIGATION_RUNS.map(({ label, policy, watermarkShare }) => ({
    label,
    config: {
      ...base,
      name: `lm-mitigations-${label.replace(/[^A-Za-z0-9]+/g, '-')}`,
      label,
      seed,
      policy,
      family: { ...family, watermark: family.watermark ?? {}, watermarkShare },
    },
  }));
}

export interface MitigationResult {
  readonly label: string;
  readonly policy: string;
  readonly runDir: string | null;
  readonly final: Metrics;
}

export interface ComparisonOptions {
  /** Root folder for the run folders (default null: in memory, nothing written). */
  readonly out?: string | null;
  /** Write each run's report.html and figures (default true; only with `out`). */
  readonly report?: boolean;
  /** Where the runs go (default: one after another in this thread). */
  readonly executor?: Executor;
}

/**
 * Runs a labelled set (mitigationConfigs, lmMitigationConfigs, or one's own) and returns each config's final
 * metrics under its label, in the set's order. The first run that fails is thrown.
 */
export async function runComparison(
  set: readonly MitigationConfig[],
  { out = null, report, executor = inProcessExecutor() }: ComparisonOptions = {},
): Promise<MitigationResult[]> {
  const jobs = set.map(({ config }) => ({ config: parseExperimentConfig(config), out, report }));
  const summaries = summariesOf(await executor.run(jobs));
  return summaries.map((s, i) => ({ label: set[i].label, policy: s.policy, runDir: s.runDir, final: s.final }));
}
