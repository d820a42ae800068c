/**
 * A pool of worker threads on this machine: each worker takes the next job when it finishes one. Every run is
 * independent and seeded, so the outcomes are those of running the jobs one after another — only sooner.
 * Without the compiled worker (tests run the TypeScript sources), or with one thread or one job, the jobs run
 * in this thread instead. A thread that dies under a run (an uncaught exception, out of heap, process.exit)
 * fails that run only, and a fresh thread takes the next; why threads and not processes:
 * docs/sweeps-local-pool.md.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Metrics } from '../../core/family.js';
import type { Stage } from '../../core/loop.js';
import { releaseThisProcessLock } from '../../core/run-lock.js';
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
  return new Promise((resolve) => {
    const outcomes: RunOutcome[] = new Array(jobs.length);
    let next = 0;
    let finished = 0;
    const settle = (index: number, outcome: RunOutcome) => {
      outcomes[index] = outcome;
      events.onOutcome?.(index, outcome);
      if (++finished === jobs.length) resolve(outcomes);
    };
    const start = () => {
      const worker = new Worker(WORKER);
      /** The job this worker has in hand: a worker that dies with it fails that job, and only that job. */
      let current: number | undefined;
      const feed = () => {
        if (next >= jobs.length) {
          current = undefined;
          void worker.terminate(); // a live worker would keep the process from exiting
          return;
        }
        current = next++;
        const request: JobRequest = {
          index: current,
          job: jobs[current],
          stages: Boolean(events.onStage),
          everyGeneration: Boolean(events.everyGeneration),
        };
        worker.postMessage(request);
      };
      const died = (why: string) => {
        if (current === undefined) return;
        const index = current;
        current = undefined;
        // The dead thread's run-folder lock bears this process's pid: drop it, or a retry would find it held.
        const dir = jobs[index].dir;
        if (dir) releaseThisProcessLock(dir);
        settle(index, { error: new Error(`the run's worker thread ${why}`) });
        if (next < jobs.length) start(); // a fresh thread for the jobs still waiting
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'generation') events.onGeneration?.(m.index, m.generation, m.line);
        else if (m.type === 'stage') events.onStage?.(m.index, m.generation, m.stage, m.fraction, m.message);
        else {
          current = undefined;
          if (m.type === 'done') settle(m.index, { summary: m.summary });
          // Errors cross the thread as text; the exit code (2 for bad input) comes with it for the CLI.
          else
            settle(m.index, {
              error: Object.assign(new Error(m.message), m.exitCode === undefined ? {} : { exitCode: m.exitCode }),
            });
          feed(); // the next job, or terminate
        }
      });
      // An uncaught exception or running out of heap (V8 stops the thread, not the process), or process.exit().
      worker.on('error', (error: Error) => died(`crashed: ${error.message}`));
      worker.on('exit', (code) => died(`exited with code ${code} before the run ended`));
      feed();
    };
    for (let t = 0; t < Math.min(threads, jobs.length); t++) start();
  });
}
