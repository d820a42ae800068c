/**
 * A pool of worker threads on this machine: each worker takes the next job when it finishes one. Every run is
 * independent and seeded, so the outcomes are those of running the jobs one after another — only sooner.
 * Without the compiled worker (tests run the TypeScript sources), or with one thread or one job, the jobs run
 * in this thread instead.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Metrics } from '../../core/family.js';
import type { Stage } from '../../core/loop.js';
import type { Executor, ExecutorEvents, RunJob, RunOutcome } from '../executor.js';
import type { RunSummary } from '../run.js';
import { inProcessExecutor } from './in-process.js';

/** What the pool sends a worker: a job, its index, and whether anyone listens to stages. */
export interface JobRequest {
  readonly index: number;
  readonly job: RunJob;
  readonly stages: boolean;
  readonly everyGeneration: boolean;
}

/** Messages from a worker: progress, a finished run, or a failure (with the CLI exit code it carried). */
export type WorkerMessage =
  | { readonly type: 'generation'; readonly index: number; readonly generation: number; readonly line: Metrics }
  | {
      readonly type: 'stage';
      readonly index: number;
      readonly generation: number;
      readonly stage: Stage;
      readonly fraction: number;
      readonly message?: string;
    }
  | { readonly type: 'done'; readonly index: number; readonly summary: RunSummary }
  | { readonly type: 'error'; readonly index: number; readonly message: string; readonly exitCode?: number };

const WORKER = new URL('./worker-thread.js', import.meta.url);

export function workerPoolExecutor({ threads }: { readonly threads: number }): Executor {
  const here = inProcessExecutor();
  return {
    name: 'worker-pool',
    run(jobs, events = {}) {
      const n = Math.min(jobs.length, threads);
      if (n <= 1 || !fs.existsSync(fileURLToPath(WORKER))) return here.run(jobs, events);
      return runInWorkers(jobs, events, n);
    },
  };
}

function runInWorkers(jobs: readonly RunJob[], events: ExecutorEvents, threads: number): Promise<RunOutcome[]> {
  return new Promise((resolve, reject) => {
    const outcomes: RunOutcome[] = new Array(jobs.length);
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
      if (next < jobs.length) {
        const request: JobRequest = {
          index: next,
          job: jobs[next],
          stages: Boolean(events.onStage),
          everyGeneration: Boolean(events.everyGeneration),
        };
        next++;
        worker.postMessage(request);
      } else {
        void worker.terminate();
      }
    };
    const settle = (worker: Worker, index: number, outcome: RunOutcome) => {
      outcomes[index] = outcome;
      events.onOutcome?.(index, outcome);
      feed(worker); // the next job, or terminate: a live worker would keep the process from exiting
      if (++finished === jobs.length) resolve(outcomes);
    };
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(WORKER);
      workers.push(worker);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'generation') events.onGeneration?.(m.index, m.generation, m.line);
        else if (m.type === 'stage') events.onStage?.(m.index, m.generation, m.stage, m.fraction, m.message);
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
