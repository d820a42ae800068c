/**
 * A sweep is a folder:
 *
 *   sweep.json      the spec, its hash, and every trial: id, grid point, seed, config hash, state, attempts, error
 *   trials/<id>/    each trial's run folder (on a fleet: its config, metrics and summary, sent back by a worker)
 *   report.html     the sweep report (report.ts), with figures/ and the tidy CSVs beside it
 *
 * One coordinator writes sweep.json (atomically, after each trial's change of state); anyone may read it while
 * the sweep runs. A trial counts as done when its folder has summary.json, whatever sweep.json says, so a
 * sweep killed at any point continues where its trials are.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readTextIfExists, writeJsonAtomic } from '../core/atomic-file.js';
import { UsageError } from '../core/errors.js';
import { FILES } from '../core/run-store.js';
import { canonicalJson, configHash, type Trial } from './expand.js';
import type { SweepSpec } from './spec.js';

/** A trial's id as expand.ts makes it (`<name>-<hash>`): a plain folder name. */
const TRIAL_ID = /^(?!\.\.?$)[A-Za-z0-9._-]+$/;
export const SWEEP_FILE = 'sweep.json';
export const TRIALS = 'trials';

export type TrialState = 'queued' | 'running' | 'finished' | 'failed';

export interface TrialRecord {
  readonly id: string;
  readonly point: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly configHash: string;
  state: TrialState;
  attempts: number;
  error?: string;
  /** Generations done, for the live display (from progress, not authoritative). */
  generationsDone?: number;
  generations: number;
}

/** A fleet worker as the coordinator last saw it (queue/heartbeat.ts): gone once it missed its beats or stopped. */
export interface WorkerRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** Its last heartbeat (Redis's clock). */
  readonly lastBeat: string;
  /** Silent this long, it counts as gone. */
  readonly goneAfterSeconds: number;
  readonly state: 'live' | 'gone';
  /** It said goodbye (Ctrl-C, SIGTERM) rather than vanishing. */
  readonly stopped?: boolean;
  /** When this state was read (Redis's clock). */
  readonly asOf: string;
}

export interface SweepRecord {
  readonly format: 1;
  readonly name: string;
  readonly specHash: string;
  readonly spec: SweepSpec;
  readonly axes: readonly string[];
  readonly trials: TrialRecord[];
  /** Where the sweep ran: 'local', or the queue's URL (without credentials). */
  runner: string;
  updated: string;
  /** When every trial has ended (finished or failed). */
  ended?: string;
  /** On a fleet: every worker seen during the sweep, with its last heartbeat and whether it is live or gone. */
  workers?: WorkerRecord[];
}

export function specHash(spec: SweepSpec): string {
  return crypto.createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

export class SweepFolder {
  private constructor(
    readonly dir: string,
    readonly record: SweepRecord,
  ) {}

  /** Opens `<out>/<name>` for these trials: made if new, continued if it holds the same sweep, refused if another. */
  static prepare(out: string, spec: SweepSpec, trials: readonly Trial[], runner: string): SweepFolder {
    const dir = path.join(out, spec.name);
    const hash = specHash(spec);
    const old = SweepFolder.read(dir);
    if (old && old.specHash !== hash)
      throw new UsageError(
        `${dir} holds another sweep named '${spec.name}' (a different spec); give this one another name or --out`,
      );
    const before = new Map(old?.trials.map((t) => [t.id, t]));
    const record: SweepRecord = {
      format: 1,
      name: spec.name,
      specHash: hash,
      spec,
      axes: Object.keys(spec.grid),
      trials: trials.map((t) => ({
        id: t.id,
        point: t.point,
        seed: t.seed,
        configHash: configHash(t.config),
        state: 'queued',
        attempts: before.get(t.id)?.attempts ?? 0,
        generations: t.config.generations,
      })),
      runner,
      updated: new Date().toISOString(),
      ...(old?.workers ? { workers: old.workers } : {}),
    };
    fs.mkdirSync(path.join(dir, TRIALS), { recursive: true });
    const folder = new SweepFolder(dir, record);
    for (const t of record.trials) if (folder.isFinished(t.id)) t.state = 'finished';
    folder.save();
    return folder;
  }

  /** A sweep folder as it is, to read (reports, status). */
  static open(dir: string, record: SweepRecord): SweepFolder {
    return new SweepFolder(dir, record);
  }

  /** sweep.json of `dir`, or undefined if there is none. */
  static read(dir: string): SweepRecord | undefined {
    const text = readTextIfExists(path.join(dir, SWEEP_FILE));
    if (text === undefined) return undefined;
    let record: SweepRecord;
    try {
      record = JSON.parse(text) as SweepRecord;
    } catch {
      throw new UsageError(`${path.join(dir, SWEEP_FILE)} is not JSON; the sweep folder is damaged`);
    }
    // Trial ids name folders under trials/: a crafted sweep.json must not lead a resume outside the sweep.
    const bad = Array.isArray(record?.trials)
      ? record.trials.find((t) => typeof t?.id !== 'string' || !TRIAL_ID.test(t.id))
      : { id: '(no trials list)' };
    if (bad)
      throw new UsageError(
        `${path.join(dir, SWEEP_FILE)}: trial id ${JSON.stringify(bad.id)} is not a plain folder name; the sweep folder is damaged`,
      );
    return record;
  }

  /** The run folders of the trials that have finished, in sweep.json's order (what `compare` draws). */
  finishedTrialDirs(): string[] {
    return this.record.trials.filter((t) => this.isFinished(t.id)).map((t) => this.trialDir(t.id));
  }

  trialDir(id: string): string {
    return path.join(this.dir, TRIALS, id);
  }

  isFinished(id: string): boolean {
    return fs.existsSync(path.join(this.trialDir(id), FILES.summary));
  }

  trial(id: string): TrialRecord {
    return this.record.trials.find((t) => t.id === id) as TrialRecord;
  }

  counts(): Record<TrialState, number> {
    const counts = { queued: 0, running: 0, finished: 0, failed: 0 };
    for (const t of this.record.trials) counts[t.state]++;
    return counts;
  }

  /** When sweep.json was last written (ms since the epoch). */
  savedAt(): number {
    return Date.parse(this.record.updated);
  }

  save(): void {
    this.record.updated = new Date().toISOString();
    if (this.record.trials.every((t) => t.state === 'finished' || t.state === 'failed'))
      this.record.ended ??= this.record.updated;
    writeJsonAtomic(path.join(this.dir, SWEEP_FILE), this.record);
  }
}
