/**
 * The run store against real writers: a CLI run in a child process is listed as running, then SIGKILLed (dead)
 * and resumed (finished), while `watchRun` follows it all, across the kill and the resume's truncation of
 * metrics.jsonl. Hand-made folders pin the edge cases: torn lines, rewrites, each status rule.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-file.js';
import { ProgressHeartbeat } from './progress-heartbeat.js';
import { listRuns, type Progress, type RunEvent, readMetrics, readRun, runStatus, watchRun } from './run-store.js';

const CLI = path.resolve('dist/cli/main.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-store-'));

/** Collects a watch's events in the background; `done` settles when the iteration ends. */
function follow(dir: string, signal?: AbortSignal) {
  const events: RunEvent[] = [];
  const done = (async () => {
    for await (const event of watchRun(dir, { signal, intervalMs: 10 })) events.push(event);
  })();
  return { events, done, metrics: () => events.filter((e) => e.type === 'metrics').map((e) => e.line) };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

/** A run folder as the writer leaves it, minus everything the store does not read. */
function handMadeRun(metrics: string): string {
  const dir = path.join(tmp(), 'run');
  fs.mkdirSync(dir);
  const config = { name: 'hand', seed: 7, generations: 9, family: { type: 'gaussian' }, policy: { type: 'replace' } };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics);
  return dir;
}

const line = (generation: number, extra = {}) => `${JSON.stringify({ generation, value: generation / 3, ...extra })}\n`;

function progress(pid: number, time: Date): Progress {
  return {
    generation: 3,
    generations: 9,
    phase: 'fit',
    fraction: 0.5,
    time: time.toISOString(),
    pid,
    host: os.hostname(),
  };
}

/** The pid of a process that has just ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await exited(child);
  return child.pid as number;
}

describe('run store', () => {
  it('watch: every line once and in order, a torn line only once completed, through a truncating rewrite', async () => {
    const dir = handMadeRun(`${line(0)}${line(1)}{"generation":2,"val`);
    expect(readMetrics(dir)).toEqual([JSON.parse(line(0)), JSON.parse(line(1))]);
    const watch = follow(dir);
    await until(() => watch.metrics().length === 2, 'the two complete lines');
    await pause(60); // several polls: the torn line must not come out, whole or half
    expect(watch.metrics().map((m) => m.generation)).toEqual([0, 1]);

    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), `ue":${2 / 3}}\n`);
    await until(() => watch.metrics().length === 3, 'the completed line');
    expect(watch.metrics()[2]).toEqual(JSON.parse(line(2)));

    // A resume from the checkpoint at generation 1 drops line 2 and recomputes it, then goes on; here the resume
    // runs a newer version that adds a metric, so the bytes where the watch stood have changed.
    writeFileAtomic(path.join(dir, 'metrics.jsonl'), `${line(0)}${line(1)}`);
    await pause(40);
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), `${line(2, { added: 1 })}${line(3, { added: 1 })}`);
    await until(() => watch.metrics().length === 4, 'the line after the rewrite');
    await pause(40);
    expect(watch.metrics()).toEqual([...[0, 1, 2].map((g) => JSON.parse(line(g))), JSON.parse(line(3, { added: 1 }))]);

    const beat = progress(process.pid, new Date());
    fs.writeFileSync(path.join(dir, 'progress.json'), JSON.stringify(beat));
    await until(() => watch.events.some((e) => e.type === 'progress'), 'the progress event');
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ name: 'hand' }));
    await watch.done; // ends by itself
    expect(watch.events.slice(4)).toEqual([
      { type: 'progress', progress: beat },
      { type: 'finished', summary: { name: 'hand' } },
    ]);
  });

  it('watch ends when its signal aborts', async () => {
    const dir = handMadeRun(line(0));
    const abort = new AbortController();
    const watch = follow(dir, abort.signal);
    await until(() => watch.events.length === 1, 'the first line');
    abort.abort();
    await watch.done;
  });

  it('status: incomplete without a trace of a process; running or dead by the lock and the heartbeat', async () => {
    const dir = handMadeRun(`${line(0)}${line(1)}{"gen`);
    const listed = () => listRuns(path.dirname(dir))[0];
    expect(listed()).toEqual({
      dir,
      name: 'hand',
      family: 'gaussian',
      policy: 'replace',
      seed: 7,
      generationsDone: 2,
      generations: 9,
      status: 'incomplete',
      started: fs.statSync(path.join(dir, 'config.json')).mtime.toISOString(),
      latest: JSON.parse(line(1)), // the torn third line is not one
    });
    const gone = await deadPid();
    const progressFile = path.join(dir, 'progress.json');
    const lockFile = path.join(dir, 'lock');
    const lock = (pid: number) => JSON.stringify({ pid, hostname: os.hostname(), startedAt: new Date().toISOString() });

    fs.writeFileSync(progressFile, JSON.stringify(progress(process.pid, new Date())));
    expect(runStatus(dir)).toBe('running'); // a fresh heartbeat from a live process
    fs.writeFileSync(progressFile, JSON.stringify(progress(process.pid, new Date(Date.now() - 3600_000))));
    expect(runStatus(dir)).toBe('dead'); // an hour-old heartbeat and no lock: its writer is gone
    fs.writeFileSync(lockFile, lock(process.pid));
    expect(runStatus(dir)).toBe('running'); // a live lock holder: a slow generation, not a dead run
    fs.writeFileSync(lockFile, lock(gone));
    fs.writeFileSync(progressFile, JSON.stringify(progress(gone, new Date())));
    expect(runStatus(dir)).toBe('dead'); // killed a moment ago
    fs.rmSync(progressFile);
    expect(runStatus(dir)).toBe('dead'); // a stale lock alone
    fs.writeFileSync(path.join(dir, 'summary.json'), '{}');
    expect(listed().status).toBe('finished');
    expect(readRun(dir).progress).toBeUndefined();
  });

  it('heartbeat: written at once when forced, then at most once per interval', () => {
    let now = 1_000_000;
    const written: Progress[] = [];
    const heartbeat = new ProgressHeartbeat(
      (p) => written.push(p),
      50,
      1000,
      () => now,
    );
    heartbeat.beat(0, 'fit', 0, undefined, true);
    for (const [t, fraction] of [
      [1, 0.1],
      [999, 0.2],
      [1000, 0.3],
      [1500, 0.4],
      [2100, 0.5],
    ]) {
      now = 1_000_000 + t;
      heartbeat.beat(4, 'sample', fraction, 'drawing');
    }
    expect(written.map((p) => p.fraction)).toEqual([0, 0.3, 0.5]);
    expect(written[2]).toEqual({
      generation: 4,
      generations: 50,
      phase: 'sample',
      fraction: 0.5,
      message: 'drawing',
      time: new Date(1_002_100).toISOString(),
      pid: process.pid,
      host: os.hostname(),
    });
  });

  it('a CLI run: running while it goes, dead after SIGKILL, resumable; watch follows it all exactly once', async () => {
    expect(fs.existsSync(CLI)).toBe(true); // npm test builds first
    const out = tmp();
    const configFile = path.join(out, 'checkpoints.json');
    fs.writeFileSync(configFile, JSON.stringify({ checkpointSeconds: 0.2 }));
    const args = ['run', 'gaussian', '--generations', '3000', '--config', configFile, '--out', out, '--no-report'];
    const run = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const runExited = exited(run);
    const dirs = () => fs.readdirSync(out).filter((f) => f !== 'checkpoints.json');
    await until(() => dirs().some((d) => fs.existsSync(path.join(out, d, 'metrics.jsonl'))), 'the run folder');
    const dir = path.join(out, dirs()[0]);

    const watch = follow(dir);
    const beats = () => watch.events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    await until(() => watch.metrics().length >= 300 && beats().length > 0, 'lines and a heartbeat from the run');
    expect(listRuns(out).map((r) => r.status)).toEqual(['running']);
    expect(beats()[0]).toMatchObject({ pid: run.pid, generations: 3000, host: os.hostname() });

    run.kill('SIGKILL');
    await runExited;
    const killed = listRuns(out)[0];
    expect(killed.status).toBe('dead');
    expect(killed.generationsDone).toBeLessThan(3000);
    expect(readRun(dir).progress?.pid).toBe(run.pid);

    const resume = spawn(process.execPath, [CLI, 'resume', dir], { stdio: 'ignore' });
    expect(await exited(resume)).toBe(0);
    await watch.done; // ended by the summary

    const final = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(final).toHaveLength(3000);
    expect(watch.metrics().map((m) => JSON.stringify(m))).toEqual(final);
    expect(new Set(beats().map((p) => p.pid))).toEqual(new Set([run.pid, resume.pid]));
    expect(watch.events.at(-1)).toMatchObject({ type: 'finished', summary: { generations: 3000 } });
    expect(listRuns(out)[0].status).toBe('finished');
  });
});
