/**
 * Runs several experiments (the seeds of one config, or the reproduce suite) at once: one worker thread per
 * core, each taking the next config when it finishes one. Every run is independent and seeded, so the results
 * are the same as running them one after another — only sooner. Without a compiled worker (tests run the
 * TypeScript sources) or with one core or one config, they run in this thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExperimentConfig } from './config.js';
import { type RunSummary, runExperiment } from './run.js';

export interface ManyOptions {
  /** Root folder for the run folders. */
  readonly out: string;
  /** Most runs at once (default: the machine's cores). */
  readonly parallel?: number;
  /** Write each run's report.html and figures (default true). */
  readonly report?: boolean;
  /** Run `index` finished generation `generation`. */
  onGeneration?(index: number, generation: number): void;
}

/** Messages from a worker: progress, a finished run, or a failure (with the CLI exit code it carried). */
export type WorkerMessage =
  | { readonly type: 'generation'; readonly index: number; readonly generation: number }
  | { readonly type: 'done'; readonly index: number; readonly summary: RunSummary }
  | { readonly type: 'error'; readonly index: number; readonly message: string; readonly exitCode?: number };

/** How one run ended: its summary, or the error that stopped it. */
export type RunOutcome = { readonly summary: RunSummary } | { readonly error: Error };

const WORKER = new URL('./parallel-worker.js', import.meta.url);

/** Runs every config into `out`; the summaries come back in the configs' order. The first failure is thrown. */
export async function runMany(configs: readonly ExperimentConfig[], options: ManyOptions): Promise<RunSummary[]> {
  const outcomes = await runManySettled(configs, options);
  for (const o of outcomes) if ('error' in o) throw o.error;
  return outcomes.map((o) => (o as { summary: RunSummary }).summary);
}

/** As runMany, but a run that fails (missing data, say) is reported in its slot and the others go on. */
export async function runManySettled(
  configs: readonly ExperimentConfig[],
  options: ManyOptions,
): Promise<RunOutcome[]> {
  const threads = Math.min(configs.length, options.parallel ?? os.availableParallelism());
  if (threads <= 1 || !fs.existsSync(fileURLToPath(WORKER))) return runHere(configs, options);
  return runInWorkers(configs, options, threads);
}

async function runHere(configs: readonly ExperimentConfig[], options: ManyOptions): Promise<RunOutcome[]> {
  const out: RunOutcome[] = [];
  for (const [index, config] of configs.entries()) {
    try {
      const result = await runExperiment(config, {
        out: options.out,
        report: options.report,
        onGeneration: (_, g) => options.onGeneration?.(index, g),
      });
      out.push({ summary: result.summary });
    } catch (error) {
      out.push({ error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  return out;
}

function runInWorkers(
  configs: readonly ExperimentConfig[],
  options: ManyOptions,
  threads: number,
): Promise<RunOutcome[]> {
  return new Promise((resolve, reject) => {
    const results: RunOutcome[] = new Array(configs.length);
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let crashed = false;
    // A worker that dies (not a run that fails) leaves its run unaccounted for: give up on the whole batch.
    const crash = (error: Error) => {
      if (crashed) return;
      crashed = true;
      for (const w of workers) void w.terminate();
      reject(error);
    };
    const feed = (worker: Worker) => {
      if (next < configs.length) {
        const index = next++;
        worker.postMessage({ index, config: configs[index], out: options.out, report: options.report });
      } else {
        void worker.terminate();
      }
    };
    const settle = (worker: Worker, index: number, outcome: RunOutcome) => {
      results[index] = outcome;
      feed(worker); // the next config, or terminate: a live worker would keep the process from exiting
      if (++finished === configs.length) resolve(results);
    };
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(WORKER);
      workers.push(worker);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'generation') options.onGeneration?.(m.index, m.generation);
        else if (m.type === 'done') settle(worker, m.index, { summary: m.summary });
        else {
          // Errors cross the thread as text; the exit code (2 for bad input) comes with it for the CLI.
          const error = Object.assign(new Error(m.message), m.exitCode === undefined ? {} : { exitCode: m.exitCode });
          settle(worker, m.index, { error });
        }
      });
      worker.on('error', crash);
      feed(worker);
    }
  });
}

/** The same config at seeds seed, seed+1, …, seed+n−1. */
export function seedConfigs(config: ExperimentConfig, n: number): ExperimentConfig[] {
  return Array.from({ length: n }, (_, i) => ({ ...config, seed: config.seed + i }));
}
