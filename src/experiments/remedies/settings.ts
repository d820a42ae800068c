/**
 * The remedies comparison's runs: every remedy on the same family, real data and seeds. A 1-D Gaussian (M = 100
 * a generation, a real pool of 10,000 so a fresh draw is new data) under replace, mix 10% with a fixed or a fresh
 * real part (Alemohammad et al. 2024), accumulate, the spread feedback filter, and weak labels; Zipf over 100
 * outcomes (M = 1,000) under replace, fixed and fresh; and the weak-label study (Amin et al. 2025): a Gaussian
 * started from a poor model (10 real items) at M = 1,000, β ∈ {0, 0.05, 0.1, 0.2}.
 */
import type { ExperimentConfig, ExperimentInput } from '../config.js';
import { resolveConfig, seedConfigs } from '../run.js';

type PolicyInput = NonNullable<ExperimentInput['policy']>;

export interface Remedy {
  readonly label: string;
  readonly policy: PolicyInput;
}

const BAND = { type: 'band', dropUnlikely: 0.01, dropLikely: 0.05 } as const;
/** The weak labeller's budget: a fifth of the candidates, the highest-loss ones. */
export const LABEL_BUDGET = 0.2;
export const WEAK_BETAS = [0, 0.05, 0.1, 0.2] as const;

const weak = (beta: number): PolicyInput => ({
  type: 'filter',
  verifier: 'weak-labels',
  labels: { beta, budget: LABEL_BUDGET },
});

export const FRESH_FIXED: readonly Remedy[] = [
  { label: 'replace (fully synthetic)', policy: { type: 'replace' } },
  { label: 'mix 10% fixed real', policy: { type: 'mix', realFraction: 0.1, realSelection: 'fixed' } },
  { label: 'mix 10% fresh real', policy: { type: 'mix', realFraction: 0.1, realSelection: 'fresh' } },
];

export const GAUSSIAN_REMEDIES: readonly Remedy[] = [
  ...FRESH_FIXED,
  { label: 'accumulate', policy: { type: 'accumulate' } },
  {
    label: 'filter + feedback (spread)',
    policy: { type: 'filter', verifier: 'quality', selection: BAND, feedback: { controller: 'spread' } },
  },
  { label: 'weak labels β 0.1', policy: weak(0.1) },
];

/**
 * Zipf: the same loops and the weak labeller. (The spread filter reads a 1-D Gaussian's width; accumulating the
 * 100,000-item pool costs more than the rest of the study together.)
 */
export const CATEGORICAL_REMEDIES: readonly Remedy[] = [
  ...FRESH_FIXED,
  { label: 'weak labels β 0.1', policy: weak(0.1) },
];

export type RemedyStudy = 'gaussian' | 'categorical' | 'weak';

export interface StudySettings {
  readonly study: RemedyStudy;
  readonly remedies: readonly Remedy[];
  /** The real-data error the table reports, and the diversity statistic whose collapse rate gives the half-life. */
  readonly error: string;
  readonly diversity: string;
  readonly generations: number;
  readonly seeds: number;
  /** The preset every run starts from, and the fields the study sets over it. */
  readonly preset: string;
  readonly config: Record<string, unknown>;
}

export function remedyStudies(quick: boolean): readonly StudySettings[] {
  const seeds = quick ? 3 : 20;
  return [
    {
      study: 'gaussian',
      remedies: GAUSSIAN_REMEDIES,
      error: 'w2',
      diversity: 'variance',
      generations: quick ? 150 : 1000,
      // W2 of one seed swings by ×2: the quick run needs more seeds than the others to order fixed and fresh.
      seeds: quick ? 8 : seeds,
      // The spread filter's feedback reads the held-out set; 2,000 items keep its noise below the band's step.
      preset: 'gaussian',
      config: { samplesPerGeneration: 100, realSize: 10_000, heldOutSize: 2000 },
    },
    {
      study: 'categorical',
      remedies: CATEGORICAL_REMEDIES,
      error: 'totalVariation',
      diversity: 'giniSimpson',
      generations: quick ? 100 : 500,
      seeds,
      preset: 'categorical',
      config: {
        samplesPerGeneration: 1000,
        realSize: 100_000,
        heldOutSize: 2000,
        real: { type: 'zipf', outcomes: 100, exponent: 1.1 },
      },
    },
    {
      study: 'weak',
      remedies: WEAK_BETAS.map((beta) => ({ label: `weak labels β ${beta}`, policy: weak(beta) })),
      error: 'w2',
      diversity: 'variance',
      generations: quick ? 60 : 200,
      seeds,
      // The labeller's judgement is the held-out real model's: 10,000 items make it a good one.
      preset: 'gaussian',
      config: { samplesPerGeneration: 1000, realSize: 10, heldOutSize: 10_000 },
    },
  ];
}

/** A study's run name for one remedy: how the report finds its runs again. */
export const runName = (study: RemedyStudy, label: string) =>
  `remedies-${study}-${label.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;

export function remedyConfigs(quick: boolean): ExperimentConfig[] {
  return remedyStudies(quick).flatMap((s) =>
    s.remedies.flatMap(({ label, policy }) => {
      return seedConfigs(
        resolveConfig(s.preset, {
          ...s.config,
          name: runName(s.study, label),
          label,
          generations: s.generations,
          snapshotGenerations: [],
          policy,
        }),
        s.seeds,
      );
    }),
  );
}
