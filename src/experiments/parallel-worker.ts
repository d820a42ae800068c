/** A worker thread of runMany (parallel.ts): runs each config it is sent and reports progress and the summary. */
import { parentPort } from 'node:worker_threads';
import type { ExperimentConfig } from './config.js';
import type { WorkerMessage } from './parallel.js';
import { runExperiment } from './run.js';

const port = parentPort;
if (!port) throw new Error('parallel-worker.js runs only as a worker thread');

interface RunRequest {
  index: number;
  config: ExperimentConfig;
  out: string;
  report?: boolean;
}

port.on('message', async ({ index, config, out, report }: RunRequest) => {
  const send = (m: WorkerMessage) => port.postMessage(m);
  let last = 0;
  try {
    const result = await runExperiment(config, {
      out,
      report,
      // At most ~10 progress messages a second: a fast run would otherwise flood the main thread.
      onGeneration: (_, generation) => {
        const now = Date.now();
        if (now - last < 100 && generation < config.generations - 1) return;
        last = now;
        send({ type: 'generation', index, generation });
      },
    });
    send({ type: 'done', index, summary: result.summary });
  } catch (error) {
    const exitCode = (error as { exitCode?: unknown } | undefined)?.exitCode;
    send({
      type: 'error',
      index,
      // Bad input (exit code 2) is explained by its message; anything else needs its stack.
      message:
        error instanceof Error ? (exitCode === 2 ? error.message : (error.stack ?? error.message)) : String(error),
      ...(typeof exitCode === 'number' ? { exitCode } : {}),
    });
  }
});
