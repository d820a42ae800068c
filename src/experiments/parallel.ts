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
  /** Run `index` finished generation `generation`. */
  onGeneration?(index: number, generation: number): void;
}

/** Messages from a worker: progress, a finished run, or a failure. */
export type WorkerMessage =
  | { readonly type: 'generation'; readonly index: number; readonly generation: number }
  | { readonly type: 'done'; readonly index: number; readonly summary: RunSummary }
  | { readonly type: 'error'; readonly index: number; readonly message: string };

const WORKER = new URL('./parallel-worker.js', import.meta.url);

/** Runs every config into `out`; the summaries come back in the configs' order. */
export async function runMany(configs: readonly ExperimentConfig[], options: ManyOptions): Promise<RunSummary[]> {
  const threads = Math.min(configs.length, options.parallel ?? os.availableParallelism());
  if (threads <= 1 || !fs.existsSync(fileURLToPath(WORKER))) return runHere(configs, options);
  return runInWorkers(configs, options, threads);
}

async function runHere(configs: readonly ExperimentConfig[], options: ManyOptions): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  for (const [index, config] of configs.entries()) {
    const result = await runExperiment(config, {
      out: options.out,
      onGeneration: (_, g) => options.onGeneration?.(index, g),
    });
    out.push(result.summary);
  }
  return out;
}

function runInWorkers(
  configs: readonly ExperimentConfig[],
  options: ManyOptions,
  threads: number,
): Promise<RunSummary[]> {
  return new Promise((resolve, reject) => {
    const results: RunSummary[] = new Array(configs.length);
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(error);
    };
    const feed = (worker: Worker) => {
      if (next < configs.length) {
        const index = next++;
        worker.postMessage({ index, config: configs[index], out: options.out });
      } else {
        void worker.terminate();
      }
    };
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(WORKER);
      workers.push(worker);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'generation') options.onGeneration?.(m.index, m.generation);
        else if (m.type === 'error')
          fail(new Error(`run ${configs[m.index].name} (seed ${configs[m.index].seed}): ${m.message}`));
        else {
          results[m.index] = m.summary;
          feed(worker); // the next config, or terminate: a live worker would keep the process from exiting
          if (++finished === configs.length) resolve(results);
        }
      });
      worker.on('error', fail);
      feed(worker);
    }
  });
}

/** The same config at seeds seed, seed+1, …, seed+n−1. */
export function seedConfigs(config: ExperimentConfig, n: number): ExperimentConfig[] {
  return Array.from({ length: n }, (_, i) => ({ ...config, seed: config.seed + i }));
}
