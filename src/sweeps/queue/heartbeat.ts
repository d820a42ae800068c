/**
 * Worker heartbeats: each worker stamps a key of its own every few seconds with Redis's clock (so machines whose
 * clocks disagree still compare), and the key outlives the worker by a day, so a worker that stops beating is
 * still there to be shown as gone. A worker is gone when it has missed GONE_AFTER_BEATS beats in a row, or said
 * it stopped.
 */
import type { Redis } from 'ioredis';
import type { WorkerRecord } from '../sweep-folder.js';

export const WORKER_KEY_PREFIX = 'collapse-lab:worker:';
/** Beats missed before a worker is shown as gone (15 s at the default 5 s interval). */
export const GONE_AFTER_BEATS = 3;
/** A gone worker's key stays this long, then Redis drops it (a sweep folder keeps its own list). */
const KEEP_MS = 24 * 3600 * 1000;

/** What a worker says about itself; `beat` (ms, Redis's clock) is stamped by Redis. */
export interface WorkerBeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** Its heartbeat interval (ms): the reader's yardstick for "gone". */
  readonly every: number;
  readonly stopped?: boolean;
}

// TIME inside the script: the stamp is the server's clock, whichever machine sends it.
const BEAT = `local t = redis.call('TIME')
local v = cjson.decode(ARGV[1])
v.beat = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], cjson.encode(v), 'PX', ARGV[2])
return v.beat`;

const keyOf = (queue: string, id: string) => `${WORKER_KEY_PREFIX}${queue}:${id}`;

export async function beat(redis: Redis, queue: string, worker: WorkerBeat): Promise<void> {
  await redis.eval(BEAT, 1, keyOf(queue, worker.id), JSON.stringify(worker), String(KEEP_MS));
}

/** Redis's clock, in ms: the one every heartbeat is stamped with. */
export async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Every worker of `queue` heard from in the last day, live or gone, as of Redis's clock now. */
export async function readWorkers(redis: Redis, queue: string): Promise<{ now: number; workers: WorkerRecord[] }> {
  const now = await redisNow(redis);
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}${queue}:*`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const values = keys.length > 0 ? await redis.mget(keys) : [];
  const workers = values
    .flatMap((v) => (v ? [JSON.parse(v) as WorkerBeat & { beat: number }] : []))
    .map((w) => workerRecord(w, now))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { now, workers };
}

function workerRecord(w: WorkerBeat & { beat: number }, now: number): WorkerRecord {
  const goneAfter = GONE_AFTER_BEATS * w.every;
  return {
    id: w.id,
    host: w.host,
    pid: w.pid,
    lastBeat: new Date(w.beat).toISOString(),
    goneAfterSeconds: goneAfter / 1000,
    state: w.stopped || now - w.beat > goneAfter ? 'gone' : 'live',
    ...(w.stopped ? { stopped: true } : {}),
    asOf: new Date(now).toISOString(),
  };
}
