/** What a reproduced paper experiment is: the runs it asks for, and what it reads off them for the report. */
import type { RunGroup } from '../../plots/groups.js';
import type { Figure } from '../../plots/plot.js';
import type { ExperimentConfig } from '../config.js';

export interface Findings {
  /** Two or three plain sentences, every number computed from the runs. */
  readonly sentences: string[];
  readonly table: { readonly headers: string[]; readonly rows: string[][] };
}

/**
 * A published claim (or a closed form) this experiment's runs can check: what it says, where it comes from, the
 * bar it implies, and how to measure it. The reproduce report opens with every claim's row, pass or fail.
 */
export interface PaperClaim {
  readonly claim: string;
  readonly source: string;
  /** The test, in words: what a passing measurement must satisfy. */
  readonly bar: string;
  /** `computed`: what the experiment's `compute` returned, for a claim on measurements that are not loop runs. */
  measure(groups: readonly RunGroup[], computed?: unknown): { readonly measured: string; readonly pass: boolean };
}

export interface PaperExperiment {
  readonly id: string;
  readonly title: string;
  /** What the paper reports, in one sentence. */
  readonly claim: string;
  /**
   * The runs; configs that differ only in the seed are drawn as one line with a band. `full` (reproduce --full)
   * asks for the runs too long for the default suite (the VAE at the notebook's settings).
   */
  configs(quick: boolean, full?: boolean): ExperimentConfig[];
  /**
   * Measurements that are not loop runs (one fit per cell, as strong collapse needs), made once after the runs;
   * findings and claims receive the result.
   */
  compute?(quick: boolean): unknown;
  /** Figures from the grouped runs (default: the family's comparison figures). */
  figures?(groups: readonly RunGroup[]): Figure[];
  findings(groups: readonly RunGroup[], computed?: unknown): Findings;
  /**
   * Whether each run writes its own report.html (default true). Sections of many short runs say false: a run's
   * report costs about a second, its run a fraction of one, and the section's report shows them all.
   */
  readonly runReports?: boolean;
  /** Claims its runs check (shown in the report's claims table). */
  readonly claims?: readonly PaperClaim[];
}
