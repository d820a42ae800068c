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
  measure(groups: readonly RunGroup[]): { readonly measured: string; readonly pass: boolean };
}

export interface PaperExperiment {
  readonly id: string;
  readonly title: string;
  /** What the paper reports, in one sentence. */
  readonly claim: string;
  /** The runs; configs that differ only in the seed are drawn as one line with a band. */
  configs(quick: boolean): ExperimentConfig[];
  /** Figures from the grouped runs (default: the family's comparison figures). */
  figures?(groups: readonly RunGroup[]): Figure[];
  findings(groups: readonly RunGroup[]): Findings;
  /** Claims its runs check (shown in the report's claims table). */
  readonly claims?: readonly PaperClaim[];
}
