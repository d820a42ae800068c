/** The simplest executor: the jobs one after another, in this thread (what tests and a single `run` use). */
import type { Executor, ExecutorEvents, RunJob, RunOutcome } from '../executor.js';
import { runExperiment } from '../run.js';

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
  try {
    const result = await runExperiment(job.config, {
      out: job.out,
      report: job.report,
      onGeneration: (line, generation) => events.onGeneration?.(index, generation, line),
      onStage:
        events.onStage &&
        ((generation, stage, fraction, message) => events.onStage?.(index, generation, stage, fraction, message)),
    });
    return { summary: result.summary };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}
