/**
 * One writer per run folder: `run` and `resume` hold `<runDir>/lock` while they run, so two processes cannot
 * interleave metrics lines or checkpoints. The lock names its holder (pid, host, start time). A lock whose
 * process is gone (a run killed with kill -9, say) is stale and taken over, so a killed run stays resumable.
 *
 * The lock file is written whole under a temporary name and hard-linked into place: link fails if the name
 * exists (like open with 'wx'), and a reader never sees a half-written lock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { readTextIfExists } from './atomic-file.js';
import { RunFolderError } from './errors.js';

export const LOCK_FILE = 'lock';

export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO 8601. */
  readonly startedAt: string;
}

/** Tries to create the lock, take over a stale one, and create it again; more means others keep racing us. */
const ATTEMPTS = 4;

export class RunLock {
  private released = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
    private readonly text: string,
  ) {}

  /**
   * Locks `dir` for this process, taking over a stale lock; throws RunFolderError if a live process holds it.
   * `foreignIsStale`: a holder on another host counts as gone — for a queue worker, whom the queue's own job lock
   * already made the trial's only owner (the other host's worker died, or the queue would not have redelivered).
   */
  static acquire(dir: string, { foreignIsStale = false }: { readonly foreignIsStale?: boolean } = {}): RunLock {
    const file = path.join(dir, LOCK_FILE);
    const holder: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
    const text = `${JSON.stringify(holder)}\n`;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (tryCreate(file, text)) return new RunLock(file, holder, text);
      const existing = readTextIfExists(file);
      if (existing === undefined) continue; // released while we looked: try again
      const current = parseHolder(existing);
      const foreign = foreignIsStale && current !== undefined && current.hostname !== os.hostname();
      if (current && !foreign && isAlive(current)) throw lockedError(dir, file, current);
      takeOver(file, existing);
    }
    throw new RunFolderError(
      `could not lock ${dir}: other processes kept taking ${file} (tried ${ATTEMPTS} times); run one at a time`,
    );
  }

  /** Removes the lock file, unless it is no longer ours (someone removed it by hand and another run took it). */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readTextIfExists(this.file) === this.text) fs.rmSync(this.file, { force: true });
  }
}

/**
 * Removes `dir`'s lock if this process holds it: for a worker pool whose thread died holding a run (a thread
 * shares its process's pid, so its lock would never look stale and the run could not be retried).
 */
export function releaseThisProcessLock(dir: string): void {
  const file = path.join(dir, LOCK_FILE);
  const text = readTextIfExists(file);
  const holder = text === undefined ? undefined : parseHolder(text);
  if (holder?.pid === process.pid && holder.hostname === os.hostname() && readTextIfExists(file) === text)
    fs.rmSync(file, { force: true });
}

/** Who holds `dir`'s lock, if anyone (stale or not). */
export function readLockHolder(dir: string): LockHolder | undefined {
  const text = readTextIfExists(path.join(dir, LOCK_FILE));
  return text === undefined ? undefined : parseHolder(text);
}

/** Whether the holder's process still runs; a process on another host cannot be checked, so it counts as alive. */
export function isAlive(holder: LockHolder): boolean {
  return isProcessAlive(holder.pid, holder.hostname);
}

/** Whether process `pid` on `hostname` still runs; one on another host cannot be checked, so it counts as alive. */
export function isProcessAlive(pid: number, hostname: string): boolean {
  if (hostname !== os.hostname()) return true;
  try {
    process.kill(pid, 0); // signal 0: checks that the process exists, sends nothing
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it exists, under another user
  }
}

/** Writes the lock whole, then links it into place; false if a lock is already there. */
function tryCreate(file: string, text: string): boolean {
  // Named like atomic-file's temporaries (…tmp-<pid>), so one left by a killed process is cleaned up with them;
  // the thread id keeps worker threads of one process apart.
  const tmp = `${file}.${threadId}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT: the folder's new holder cleared temporaries, ours included, before we linked: it holds the lock.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock. It is moved aside first and compared with what we judged stale: if another process took
 * it over in between, what we moved is that process's live lock, and it goes back.
 */
function takeOver(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}-${threadId}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it first
    throw error;
  }
  try {
    if (readTextIfExists(aside) !== staleText) fs.linkSync(aside, file);
  } catch {
    // A third process locked the folder in the moment it had no lock; it is the holder now.
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/**
 * A lock that does not parse counts as stale: locks are written whole, so only a crash of the machine (which
 * ended its holder too) or a hand edit can leave one unreadable.
 */
function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.startedAt === 'string')
      return value as LockHolder;
  } catch {
    // unreadable: stale
  }
  return undefined;
}

function lockedError(dir: string, file: string, holder: LockHolder): RunFolderError {
  return new RunFolderError(
    `${dir} is in use by another collapse-lab process (pid ${holder.pid} on ${holder.hostname}, ` +
      `since ${holder.startedAt}); wait for it to finish, or, if that process is gone, remove ${file}`,
  );
}
