/**
 * The run-folder lock: one holder at a time, a dead holder's lock taken over, a live one's refused with the
 * holder and the fix named, and the lock gone when a run ends, also when it ends in an error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig, resumeExperiment, runExperiment } from '../experiments/run.js';
import { RunFolderError } from './errors.js';
import { RunFolder } from './run-folder.js';
import { isAlive, LOCK_FILE, type LockHolder, RunLock, readLockHolder } from './run-lock.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-lock-'));
const writeLock = (dir: string, holder: Partial<LockHolder>) =>
  fs.writeFileSync(
    path.join(dir, LOCK_FILE),
    JSON.stringify({ hostname: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z', ...holder }),
  );

/** A process that does nothing until killed: a holder whose liveness we control. */
const children: ChildProcess[] = [];
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}
async function killAndReap(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('RunLock', () => {
  it('writes the holder into <dir>/lock, refuses a second holder while held, and is free again once released', () => {
    const dir = tmp();
    const lock = RunLock.acquire(dir);
    expect(readLockHolder(dir)).toEqual({ pid: process.pid, hostname: os.hostname(), startedAt: expect.any(String) });
    expect(Date.parse(lock.holder.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    // This process is alive, so its own lock holds even against itself.
    expect(() => RunLock.acquire(dir)).toThrow(RunFolderError);
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    lock.release(); // twice is harmless
    RunLock.acquire(dir).release();
    expect(fs.readdirSync(dir)).toEqual([]); // no temporary left behind
  });

  it('refuses a lock held by another live process, naming the folder, the pid and the fix', async () => {
    const dir = tmp();
    const holder = sleeper();
    writeLock(dir, { pid: holder.pid as number });
    let message = '';
    try {
      RunLock.acquire(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(RunFolderError);
      expect((error as RunFolderError).exitCode).toBe(2);
      message = (error as Error).message;
    }
    expect(message).toContain(dir);
    expect(message).toContain(`pid ${holder.pid}`);
    expect(message).toMatch(/wait for it to finish, or, if that process is gone, remove .*lock/);
    expect(readLockHolder(dir)?.pid).toBe(holder.pid); // untouched
  });

  it('takes over the lock of a process that is gone (kill -9), and one that is unreadable', async () => {
    const dir = tmp();
    const holder = sleeper();
    writeLock(dir, { pid: holder.pid as number });
    await killAndReap(holder);
    expect(isAlive(readLockHolder(dir) as LockHolder)).toBe(false);
    const lock = RunLock.acquire(dir);
    expect(readLockHolder(dir)?.pid).toBe(process.pid);
    lock.release();

    fs.writeFileSync(path.join(dir, LOCK_FILE), '');
    RunLock.acquire(dir).release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("does not judge a lock from another host: it is refused, since that host's processes cannot be checked", () => {
    const dir = tmp();
    writeLock(dir, { pid: 1, hostname: `not-${os.hostname()}` });
    expect(() => RunLock.acquire(dir)).toThrow(/pid 1 on not-/);
  });

  it('releases only its own lock, not one another process took after ours was removed by hand', () => {
    const dir = tmp();
    const lock = RunLock.acquire(dir);
    fs.rmSync(path.join(dir, LOCK_FILE));
    writeLock(dir, { pid: process.pid, startedAt: 'someone else' });
    lock.release();
    expect(readLockHolder(dir)?.startedAt).toBe('someone else');
  });
});

describe('the lock around run and resume', () => {
  const config = () => resolveConfig('gaussian', { generations: 12, samplesPerGeneration: 50, checkpointSeconds: 0 });
  const runDirIn = (out: string) => path.join(out, fs.readdirSync(out)[0]);

  it('is held while a run goes, released when it ends, after an error too, and a resume then finishes it', async () => {
    const out = tmp();
    const seen: (number | undefined)[] = [];
    await expect(
      runExperiment(config(), {
        out,
        report: false,
        onGeneration: (_, g) => {
          seen.push(readLockHolder(runDirIn(out))?.pid);
          if (g === 5) throw new Error('stopped at generation 5');
        },
      }),
    ).rejects.toThrow('stopped at generation 5');
    expect(seen).toEqual(Array(6).fill(process.pid));
    const dir = runDirIn(out);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);

    const resumed = await resumeExperiment(dir, { report: false });
    expect(resumed.summary.resumedFrom).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    // Finished: resuming again is refused, and the refusal leaves no lock behind either.
    await expect(resumeExperiment(dir)).rejects.toThrow(/already finished/);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses to resume a folder a live process holds, and leaves its metrics and temporaries alone', async () => {
    const out = tmp();
    await expect(
      runExperiment(config(), {
        out,
        report: false,
        onGeneration: (_, g) => {
          if (g === 3) throw new Error('stop');
        },
      }),
    ).rejects.toThrow('stop');
    const dir = runDirIn(out);
    const holder = sleeper();
    writeLock(dir, { pid: holder.pid as number });
    // A live writer's file mid-write: a refused resume (or a reader such as compare) must not delete it.
    const inFlight = path.join(dir, 'checkpoints', `latest.json.tmp-${holder.pid}`);
    fs.writeFileSync(inFlight, '{');
    const metrics = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
    await expect(resumeExperiment(dir)).rejects.toThrow(`pid ${holder.pid}`);
    RunFolder.open(dir);
    expect(fs.existsSync(inFlight)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).toBe(metrics);

    // Once the holder is gone its lock is stale: resume takes over, clears the temporary and finishes.
    await killAndReap(holder);
    await resumeExperiment(dir, { report: false });
    expect(fs.existsSync(inFlight)).toBe(false);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});
