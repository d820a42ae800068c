/**
 * `collapse-lab worker --queue URL`: takes trials off a sweep queue and runs each in a sandboxed processor (a
 * child process, processor.ts). Start any number, on any machines that see the same artefacts storage. A
 * worker beats a heartbeat (heartbeat.ts), so `sweep --status` and the sweep report can tell a gone worker.
 */
import os from 'node:os';
import { type ConnectionOptions, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULT_QUEUE, redisOptions } from './connection.js';
import { beat, readWorkers, type WorkerBeat } from './heartbeat.js';

const PROCESSOR = new URL('./processor.js', import.meta.url);
const HEARTBEAT_MS = 5000;

export interface WorkerOptions {
  readonly url: string;
  readonly queue?: string;
  /** Trials at once in this worker (each its own process). */
  readonly concurrency?: number;
  /** How long a trial's lock lasts without renewal: a worker silent this long is presumed dead, its trial redelivered. */
  readonly lockSeconds?: number;
}

export interface RunningWorker {
  readonly id: string;
  close(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const connection = redisOptions(options.url);
  const queue = options.queue ?? DEFAULT_QUEUE;
  const lockDuration = (options.lockSeconds ?? 30) * 1000;
  const worker = new Worker(queue, PROCESSOR, {
    connection: connection as ConnectionOptions,
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(1000, lockDuration / 2),
    // A trial whose worker died is resumed from its checkpoint, so redelivering it is always safe.
    maxStalledCount: 10,
  });
  const id = `${os.hostname()}-${process.pid}`;
  const redis = new Redis(connection);
  redis.on('error', () => {}); // ioredis reconnects by itself; the heartbeat just skips a beat
  // At least three beats per lock: a worker shown as gone has also lost its trial's lock.
  const me: WorkerBeat = { id, host: os.hostname(), pid: process.pid, every: Math.min(HEARTBEAT_MS, lockDuration / 3) };
  const send = (info: WorkerBeat) => beat(redis, queue, info).catch(() => {});
  void send(me);
  const timer = setInterval(() => void send(me), me.every);
  return {
    id,
    async close() {
      clearInterval(timer);
      await worker.close();
      await send({ ...me, stopped: true });
      redis.disconnect();
    },
  };
}

/** Every worker of the queue heard from in the last day, each live or gone. */
export async function queueWorkers(url: string, queue = DEFAULT_QUEUE) {
  const redis = new Redis({ ...redisOptions(url), maxRetriesPerRequest: 1 });
  try {
    return await readWorkers(redis, queue);
  } finally {
    redis.disconnect();
  }
}
