/**
 * `collapse-lab worker --queue URL`: takes trials off a sweep queue and runs each in a sandboxed processor (a
 * child process, processor.ts). Start any number, on any machines that see the same artefacts storage. A
 * worker announces itself with a heartbeat key that expires, so `sweep --status` can tell a gone worker.
 */
import os from 'node:os';
import { type ConnectionOptions, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULT_QUEUE, redisOptions } from './connection.js';

const PROCESSOR = new URL('./processor.js', import.meta.url);
export const WORKER_KEY_PREFIX = 'collapse-lab:worker:';
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
  const beat = () =>
    void redis
      .set(
        `${WORKER_KEY_PREFIX}${queue}:${id}`,
        JSON.stringify({ id, pid: process.pid, host: os.hostname(), time: new Date().toISOString() }),
        'PX',
        HEARTBEAT_MS * 3,
      )
      .catch(() => {});
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  return {
    id,
    async close() {
      clearInterval(timer);
      await worker.close();
      await redis.del(`${WORKER_KEY_PREFIX}${queue}:${id}`).catch(() => {});
      redis.disconnect();
    },
  };
}

/** The workers whose heartbeat has not expired. */
export async function liveWorkers(url: string, queue = DEFAULT_QUEUE): Promise<{ id: string; time: string }[]> {
  const redis = new Redis({ ...redisOptions(url), maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${WORKER_KEY_PREFIX}${queue}:*`);
    const values = keys.length > 0 ? await redis.mget(keys) : [];
    return values.flatMap((v) => (v ? [JSON.parse(v) as { id: string; time: string }] : []));
  } finally {
    redis.disconnect();
  }
}
