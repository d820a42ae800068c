/**
 * A data policy builds generation g's training set (g ≥ 1) from the real pool and the synthetic sets of earlier
 * generations. Provenance travels with every item (see dataset.ts).
 */
import type { Dataset } from './dataset.js';
import type { Metrics } from './family.js';
import type { Rng } from './rng.js';
import type { Samples } from './samples.js';

/**
 * The run's models a policy may score items with: generation 0's (fitted to the real pool), the previous
 * generation's (the one that made the latest synthetic set), and one fitted to the held-out real data.
 */
export type ScoringModel = 'generation-zero' | 'previous' | 'held-out';

/** Per-item scores of `samples` under one of the run's models, as the family's `score` computes them. */
export type Scorer<S extends Samples = Samples> = (model: ScoringModel, samples: S) => Promise<Float64Array>;

export interface PolicyContext<S extends Samples = Samples> {
  /** The generation whose training set is being built (≥ 1). */
  readonly generation: number;
  readonly real: Dataset<S>;
  /**
   * synthetic[h] is the set made by generation h's model, for h < generation. Sets the policy does not retain
   * (see `retains`) may be absent after a resume.
   */
  readonly synthetic: readonly (Dataset<S> | undefined)[];
  /** Metrics of generations so far, for policies that adapt (feedback controllers). */
  readonly history: readonly Metrics[];
  readonly samplesPerGeneration: number;
  readonly rng: Rng;
  /**
   * Scores items with the run's models (verifier policies); absent when the family has no `score`. A method, so
   * that a policy written for all samples (DataPolicy<Samples>) still accepts a context of one kind.
   */
  score?(model: ScoringModel, samples: S): Promise<Float64Array>;
}

export interface PolicyResult<S extends Samples = Samples> {
  readonly train: Dataset<S>;
  /** Policy-specific figures for this generation's metrics line (e.g. a filter's threshold). */
  readonly metrics?: Metrics;
}

export interface DataPolicy<S extends Samples = Samples> {
  readonly name: string;
  /** Which synthetic sets must survive a checkpoint: only the latest, or all of them. */
  readonly retains: 'latest' | 'all';
  build(ctx: PolicyContext<S>): PolicyResult<S> | Promise<PolicyResult<S>>;
}
