/** What a reproduced paper experiment is: the runs it asks for, and what it reads off them for the report. */
import type { RunGroup } from '../../plots/groups.js';
import type { Figure } from '../../plots/plot.js';
import type { ExperimentConfig } from '../config.js';

export interface Findings {
  /** Two or three plain sentences, every number computed from the runs. */
  readonly sentences: string[];
  readonly table: { readonly headers: string[]; readonly rows: string[][] };
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
  /** Figures from the grouped runs (default: the family's comparison figures). */
  figures?(groups: readonly RunGroup[]): Figure[];
  findings(groups: readonly RunGroup[]): Findings;
}
