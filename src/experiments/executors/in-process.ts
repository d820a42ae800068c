/** The simplest executor: the jobs one after another, in this thread (what tests and a single `run` use). */

import type { Metrics } from '../../core/family.js';
import type { Stage } from '../../core/loop.js';
import type { Executor, ExecutorEvents, RunJob, RunOutcome } from '../executor.js';
import { runExperiment, runToCompletion } from '../run.js';

export function inProcessExecutor(): Executor {
  return {
    name: 'in-process',
    async run(jobs: readonly RunJob[], events: ExecutorEvents = {}): Promise<RunOutcome[]> {
      const outcomes: RunOutcome[] = [];
      for (const [index, job] of jobs.entries()) outcomes.push(await runJob(job, index, events));
      return outcomes;
    },
  };
}

/** One job in this thread; its failure becomes its outcome. Also the worker thread's body (worker-thread.ts). */
export async function runJob(job: RunJob, index: number, events: ExecutorEvents = {}): Promise<RunOutcome> {
  const hooks = {
    report: job.report,
    onGeneration: (line: Metrics, generation: number) => events.onGeneration?.(index, generation, line),
    onStage:
      events.onStage &&
      ((generation: number, stage: Stage, fraction: number, message?: string) =>
        events.onStage?.(index, generation, stage, fraction, message)),
  };
  let outcome: RunOutcome;
  try {
    const summary = job.dir
      ? await runToCompletion(job.config, job.dir, hooks)
      : (await runExperiment(job.config, { ...hooks, out: job.out })).summary;
    outcome = { summary };
  } catch (error) {
    outcome = { error: error instanceof Error ? error : new Error(String(error)) };
  }
  events.onOutcome?.(index, outcome);
  return outcome;
}
