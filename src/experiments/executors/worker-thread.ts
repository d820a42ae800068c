/** A worker thread of the worker-pool executor: runs each job it is sent and reports progress and the outcome. */
import { parentPort } from 'node:worker_threads';
import { loadPlugins } from '../plugins.js';
import { runJob } from './in-process.js';
import type { JobRequest, WorkerMessage } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('worker-thread.js runs only as a worker thread');

/** At most ~10 messages a second of each kind: a fast run would otherwise flood the main thread. */
const INTERVAL_MS = 100;

// The families the parent process registered from plugins ($COLLAPSE_LAB_PLUGINS) must exist here too.
const plugins = loadPlugins();

port.on('message', async ({ index, job, stages, everyGeneration }: JobRequest) => {
  await plugins;
  const send = (m: WorkerMessage) => port.postMessage(m);
  let lastGeneration = 0;
  let lastStage = 0;
  const outcome = await runJob(job, index, {
    onGeneration: (_, generation, line) => {
      const now = Date.now();
      const last = generation === job.config.generations - 1;
      if (!everyGeneration && !last && now - lastGeneration < INTERVAL_MS) return;
      lastGeneration = now;
      send({ type: 'generation', index, generation, line: line ?? { generation } });
    },
    onStage: stages
      ? (_, generation, stage, fraction, message) => {
          const now = Date.now();
          if (now - lastStage < INTERVAL_MS) return;
          lastStage = now;
          send({ type: 'stage', index, generation, stage, fraction, ...(message === undefined ? {} : { message }) });
        }
      : undefined,
  });
  if ('summary' in outcome) {
    send({ type: 'done', index, summary: outcome.summary });
    return;
  }
  const { error } = outcome;
  const exitCode = (error as { exitCode?: unknown }).exitCode;
  send({
    type: 'error',
    index,
    // Bad input (exit code 2) is explained by its message; anything else needs its stack.
    message: exitCode === 2 ? error.message : (error.stack ?? error.message),
    ...(typeof exitCode === 'number' ? { exitCode } : {}),
  });
});
