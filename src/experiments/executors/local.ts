/** The executor for runs on this machine: one thread when asked for one, else a worker pool over the cores. */
import os from 'node:os';
import type { Executor } from '../executor.js';
import { inProcessExecutor } from './in-process.js';
import { workerPoolExecutor } from './worker-pool.js';

export function localExecutor({ parallel }: { readonly parallel?: number } = {}): Executor {
  const threads = parallel ?? os.availableParallelism();
  return threads <= 1 ? inProcessExecutor() : workerPoolExecutor({ threads });
}
