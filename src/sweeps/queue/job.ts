/** What travels through the queue: a trial to run, and what its worker sends back. */
import type { ExperimentConfig } from '../../experiments/config.js';

export interface TrialJob {
  readonly trial: string;
  readonly config: ExperimentConfig;
  /** The trial's run folder on the artefacts storage (checkpoints live there, so another worker can resume). */
  readonly runDir: string;
}

export interface TrialResult {
  /** The run folder's config.json, metrics.jsonl and summary.json, as text. */
  readonly config: string;
  readonly metrics: string;
  readonly summary: string;
  /**
   * Its snapshot samples (samples/<file>: text), what the trial's figures are drawn from, when they are small
   * enough to travel through Redis (SMALL_SAMPLES_BYTES in all); larger ones stay on the artefacts storage.
   */
  readonly samples?: Readonly<Record<string, string>>;
}

/** The most snapshot bytes a result carries through the queue: past this, Redis memory is the wrong place. */
export const SMALL_SAMPLES_BYTES = 1 << 20;

/** BullMQ job ids may not contain ':'; ours are `<sweep hash>-<trial id>`. */
export function jobId(specHash: string, trial: string): string {
  return `${specHash.slice(0, 12)}-${trial}`;
}
