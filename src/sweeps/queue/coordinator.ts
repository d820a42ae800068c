/**
 * A sweep on a BullMQ queue: the coordinator puts every unfinished trial on the queue (job id = sweep hash +
 * trial id, so a re-run or a second coordinator adds nothing twice), then follows the jobs until each has
 * finished or failed for good, writing each result into the sweep folder once.
 *
 * Delivery is at least once: a worker that dies mid-trial has its job handed to another by BullMQ's stalled-job
 * check, and that worker resumes the trial from its last checkpoint on the artefacts storage. Results are
 * idempotent: a trial's files are stored only if its summary.json is absent (set-if-absent by a hard link), so a
 * trial finished twice is stored once. The coordinator reads a job when its events arrive (QueueEvents), and
 * every job every few seconds, which carries it across a Redis restart (ioredis reconnects; the jobs are still
 * there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type ConnectionOptions, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { FILES } from '../../core/run-store.js';
import type { Trial } from '../expand.js';
import type { SweepEvents } from '../local.js';
import type { SweepFolder, WorkerRecord } from '../sweep-folder.js';
import { DEFAULT_QUEUE, redisOptions } from './connection.js';
import { readWorkers, redisNow } from './heartbeat.js';
import { jobId, type TrialJob, type TrialResult } from './job.js';

/** Every trial's job is read this often besides its events; the workers' heartbeats once a second. */
const RECONCILE_MS = 5000;
const WORKERS_MS = 1000;
const PROGRESS_SAVE_MS = 5000;

export interface QueueSweepOptions {
  readonly url: string;
  readonly queue?: string;
  /** Shared storage for the trials' run folders (checkpoints, samples); default <sweep>/artifacts. */
  readonly artifacts?: string;
  /** How often every job's state is read, besides the events (what Redis restarting might have lost). */
  readonly reconcileMs?: number;
}

export async function runSweepOnQueue(
  folder: SweepFolder,
  trials: readonly Trial[],
  options: QueueSweepOptions,
  events: SweepEvents = {},
): Promise<void> {
  const name = options.queue ?? DEFAULT_QUEUE;
  const queue = new Queue<TrialJob, TrialResult, string>(name, {
    connection: redisOptions(options.url) as ConnectionOptions,
  });
  queue.on('error', () => {}); // a Redis restart: ioredis reconnects, the poll below just waits
  const artifacts = path.resolve(options.artifacts ?? path.join(folder.dir, 'artifacts'));
  const hash = folder.record.specHash;
  const changed = () => {
    folder.save();
    events.onChange?.(folder);
  };
  const redis = new Redis(redisOptions(options.url));
  redis.on('error', () => {}); // as for the queue: a restart is waited out
  let started = 0;
  // The workers heard from during this sweep, live or gone; a change of state is saved like a trial's.
  const lookAtWorkers = async () => {
    const seen = await readWorkers(redis, name).catch(() => undefined);
    if (!seen) return;
    const merged = mergeWorkers(folder.record.workers ?? [], seen.workers, started, seen.now);
    const key = (ws: readonly WorkerRecord[]) => ws.map((w) => `${w.id}/${w.state}`).join();
    const before = key(folder.record.workers ?? []);
    folder.record.workers = merged;
    if (key(merged) !== before) changed();
  };
  /** Trials to look at again soon (completed, but the result not yet readable). */
  const again = new Set<string>();
  // One trial's job, read back into its record; true once it has ended (its result stored, or failed for good).
  const lookAtTrial = async (id: string, trial: Trial): Promise<boolean> => {
    const record = folder.trial(trial.id);
    // State first, then the job: a job read before it completes would carry no return value yet.
    const state = await queue.getJobState(id).catch(() => 'unknown');
    const job = await queue.getJob(id).catch(() => undefined);
    if (!job) return false;
    const before = `${record.state}/${record.attempts}`;
    const generationsBefore = record.generationsDone;
    let ended = false;
    record.attempts = job.attemptsMade;
    if (state === 'completed') {
      if (!job.returnvalue) {
        again.add(id); // not readable yet: look again shortly
        return false;
      }
      storeResult(folder.trialDir(trial.id), job.returnvalue);
      record.state = 'finished';
      record.generationsDone = record.generations;
      delete record.error;
      ended = true;
    } else if (state === 'failed') {
      record.state = 'failed';
      record.error = (job.failedReason ?? 'failed').split('\n')[0];
      ended = true;
    } else if (state === 'active') {
      record.state = 'running';
      const progress = job.progress as { generation?: number } | number;
      if (typeof progress === 'object' && typeof progress.generation === 'number')
        record.generationsDone = progress.generation;
    } else record.state = 'queued';
    // A new state is saved at once (sweep.json, fsynced); progress alone redraws the display and is saved at most
    // every PROGRESS_SAVE_MS, for `sweep --status` on another machine: a save per progress event cost the CPU.
    if (`${record.state}/${record.attempts}` !== before) changed();
    else if (record.generationsDone !== generationsBefore) {
      if (Date.now() - folder.savedAt() >= PROGRESS_SAVE_MS) changed();
      else events.onChange?.(folder);
    }
    return ended;
  };
  const queueEvents = new QueueEvents(name, { connection: redisOptions(options.url) as ConnectionOptions });
  queueEvents.on('error', () => {}); // reconnects by itself and reads on from its last event
  try {
    await queueEvents.waitUntilReady();
    started = await redisNow(redis);
    const pending = new Map<string, Trial>();
    for (const trial of trials) {
      if (folder.isFinished(trial.id)) continue;
      const id = jobId(hash, trial.id);
      const existing = await queue.getJob(id);
      // A re-run gives trials that failed for good a fresh set of attempts.
      if (existing && (await existing.getState()) === 'failed') await existing.retry();
      else if (!existing)
        await queue.add(
          'trial',
          { trial: trial.id, config: trial.config, runDir: path.join(artifacts, hash.slice(0, 12), trial.id) },
          {
            jobId: id,
            attempts: folder.record.spec.retries + 1,
            backoff: { type: 'fixed', delay: 1000 },
            removeOnComplete: false,
            removeOnFail: false,
          },
        );
      folder.trial(trial.id).state = 'queued';
      pending.set(id, trial);
    }
    changed();
    // A trial is looked at when one of its events arrives (event-driven: a poll of every job costs the fleet's
    // CPU), and every trial again every few seconds, which catches anything missed while Redis was away.
    let wake: (() => void) | undefined;
    const dirty = new Set<string>();
    const touched = ({ jobId: id }: { jobId: string }) => {
      if (!pending.has(id)) return;
      dirty.add(id);
      wake?.();
    };
    for (const event of ['active', 'progress', 'completed', 'failed', 'waiting', 'stalled', 'delayed'] as const)
      queueEvents.on(event, touched);
    let lastFull = Number.NEGATIVE_INFINITY;
    let lastWorkers = Number.NEGATIVE_INFINITY;
    while (pending.size > 0) {
      const full = performance.now() - lastFull >= (options.reconcileMs ?? RECONCILE_MS);
      if (full) lastFull = performance.now();
      const ids = full ? [...pending.keys()] : [...dirty, ...again];
      dirty.clear();
      again.clear();
      for (const id of ids) {
        const trial = pending.get(id);
        if (trial && (await lookAtTrial(id, trial))) pending.delete(id);
      }
      if (performance.now() - lastWorkers >= WORKERS_MS) {
        lastWorkers = performance.now();
        await lookAtWorkers();
      }
      if (pending.size > 0 && dirty.size === 0)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, again.size > 0 ? 50 : WORKERS_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wake = undefined;
    }
    changed();
  } finally {
    redis.disconnect();
    await queueEvents.close();
    await queue.close();
  }
}

/**
 * The sweep's workers after a look at the queue's heartbeats: the ones known already, updated, plus any that beat
 * since the sweep started (a worker of an older sweep, gone before this one began, is not this sweep's).
 */
export function mergeWorkers(
  known: readonly WorkerRecord[],
  seen: readonly WorkerRecord[],
  since: number,
  now: number,
): WorkerRecord[] {
  // One known but no longer in Redis (its key dropped, or a Redis without persistence restarted) is gone.
  const asOf = new Date(now).toISOString();
  const byId = new Map<string, WorkerRecord>(known.map((w) => [w.id, { ...w, state: 'gone', asOf }]));
  for (const w of seen)
    if (byId.has(w.id) || Date.parse(w.lastBeat) >= since - w.goneAfterSeconds * 1000) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Writes a trial's result into its folder unless it is already there: config, metrics and snapshot samples
 * first, then summary.json hard-linked into place, which fails if another delivery of the same trial stored it first.
 */
export function storeResult(dir: string, result: TrialResult): boolean {
  const summary = path.join(dir, FILES.summary);
  if (fs.existsSync(summary)) return false;
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, FILES.config), result.config);
  writeFileAtomic(path.join(dir, FILES.metrics), result.metrics);
  if (result.samples) {
    fs.mkdirSync(path.join(dir, FILES.samples), { recursive: true });
    for (const [name, text] of Object.entries(result.samples)) {
      // Names come from another machine: plain snapshot file names only, never a path out of the trial.
      if (!/^generation-\d+\.json$/.test(name)) continue;
      writeFileAtomic(path.join(dir, FILES.samples, name), text);
    }
  }
  const staged = `${summary}.tmp-${process.pid}`;
  writeFileAtomic(staged, result.summary);
  try {
    fs.linkSync(staged, summary);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(staged, { force: true });
  }
}
