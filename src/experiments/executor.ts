/**
 * The executor seam: every run the lab starts (`run`, `run --seeds`, `reproduce`, a comparison) is a job handed
 * to an Executor, which decides where it runs — this thread, a local worker pool (executors/), or, later, a
 * queue of machines. Callers see only jobs in and outcomes out, in the jobs' order, so a new executor plugs in
 * without touching them.
 */
import type { Metrics } from '../core/family.js';
import type { Stage } from '../core/loop.js';
import type { ExperimentConfig } from './config.js';
import type { RunSummary } from './run.js';

/** One run to do. Plain data (a validated config and two options), so it can cross a thread or a network. */
export interface RunJob {
  readonly config: ExperimentConfig;
  /** Root folder for the run folder; null runs in memory and writes nothing. */
  readonly out: string | null;
  /** Write the run's report.html and figures (default true). */
  readonly report?: boolean;
  /**
   * The run folder itself (a sweep's trial): started if absent, resumed if unfinished, read back if finished.
   * Without it, a new folder under `out`.
   */
  readonly dir?: string;
}

/** How one run ended: its summary, or the error that stopped it (a CLI exit code travels as `exitCode`). */
export type RunOutcome = { readonly summary: RunSummary } | { readonly error: Error };

/** Progress, by the job's index in the submitted list. Executors may thin it out; a run's last generation is always sent. */
export interface ExecutorEvents {
  /** Job `index` finished `generation`, with its metrics line. */
  onGeneration?(index: number, generation: number, line?: Metrics): void;
  /** Send every generation (a script reading progress line by line); otherwise executors may thin them out. */
  readonly everyGeneration?: boolean;
  /** Job `index` is in `stage` of `generation`, `fraction` done. */
  onStage?(index: number, generation: number, stage: Stage, fraction: number, message?: string): void;
  /** Job `index` ended (the same outcome `run` resolves with, sooner: as each job ends). */
  onOutcome?(index: number, outcome: RunOutcome): void;
}

export interface Executor {
  /** For logs and reports: 'in-process', 'worker-pool', ... */
  readonly name: string;
  /**
   * Runs every job once and resolves with one outcome per job, in the jobs' order. A run that fails is an
   * outcome (the others go on), and so is a run whose worker died under it (a crash, out of memory); the
   * promise rejects only when the executor itself breaks.
   */
  run(jobs: readonly RunJob[], events?: ExecutorEvents): Promise<RunOutcome[]>;
  /** Releases what the executor holds (connections, idle workers); whoever created it calls this. */
  close?(): Promise<void>;
}

/** The summaries, in order; the first failure is thrown instead (for callers that need every run). */
export function summariesOf(outcomes: readonly RunOutcome[]): RunSummary[] {
  return outcomes.map((o) => {
    if ('error' in o) throw o.error;
    return o.summary;
  });
}
