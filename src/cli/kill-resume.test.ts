/**
 * kill -9 at random moments, then resume, again and again: at least 20 kill points per run of the suite, many
 * inside checkpoint writes (a checkpoint every generation). After every kill the metrics on disk are a byte
 * prefix of an uninterrupted run's; after the last resume the metrics and snapshots equal it byte for byte.
 * The kill points are drawn from a seed printed on failure, so a failing sequence can be replayed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';

const CLI = path.resolve('dist/cli/main.js');
const KILLS = 20;
const SEED = Number(process.env.COLLAPSE_LAB_KILL_SEED ?? Date.now() % 1_000_000);

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-kill-'));
const completeLines = (file: string) => {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text.slice(0, text.lastIndexOf('\n') + 1);
};

/** Waits until the run folder holds `lines` metrics lines, then `extraMs` more, then SIGKILLs; false if it ended first. */
async function killAt(child: ChildProcess, metrics: () => string | undefined, lines: number, extraMs: number) {
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (;;) {
    const file = metrics();
    if (file && completeLines(file).split('\n').length - 1 >= lines) break;
    if (child.exitCode !== null) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  if (extraMs > 0) await new Promise((r) => setTimeout(r, extraMs));
  if (child.exitCode !== null) return false;
  child.kill('SIGKILL');
  await exited;
  return true;
}

describe('kill -9 and resume at random points', () => {
  it(`${KILLS} kills, each resume byte-identical to an uninterrupted run (seed ${SEED})`, {
    timeout: 180_000,
  }, async () => {
    const out = tmp();
    const configFile = path.join(out, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        name: 'kills',
        generations: 400,
        samplesPerGeneration: 60,
        heldOutSize: 100,
        checkpointSeconds: 0,
        policy: { type: 'mix', realFraction: 0.2 },
        family: { type: 'gaussian' },
        real: { type: 'gaussian' },
        snapshotGenerations: [0, 100, 150, 399],
      }),
    );
    // The uninterrupted run goes alongside the killed one; each kill's metrics are checked against it at the end.
    const refRoot = path.join(out, 'ref');
    const reference = spawn(process.execPath, [CLI, 'run', '--config', configFile, '--out', refRoot, '--no-report']);
    const referenceDone = new Promise<number | null>((resolve) => reference.on('exit', resolve));
    const onDiskAtKills: string[] = [];

    const runs = path.join(out, 'runs');
    const runDir = () => (fs.existsSync(runs) ? fs.readdirSync(runs).map((f) => path.join(runs, f))[0] : undefined);
    const metrics = () => {
      const dir = runDir();
      return dir && path.join(dir, 'metrics.jsonl');
    };
    const rng = new Rng(SEED);
    const kills: string[] = [];
    let done = 0;
    let child = spawn(process.execPath, [CLI, 'run', '--config', configFile, '--out', runs, '--no-report'], {
      stdio: 'ignore',
    });
    while (kills.length < KILLS) {
      // A few generations on, then 0–3 ms more: a kill lands anywhere in a generation, checkpoint writes included.
      const target = done + 1 + rng.int(12);
      const extra = rng.int(4);
      const killed = await killAt(child, metrics, target, extra);
      const onDisk = completeLines(metrics() as string);
      onDiskAtKills.push(onDisk);
      done = onDisk.split('\n').length - 1;
      if (!killed) break; // finished before the kill: the run is complete
      kills.push(`${target}+${extra}ms`);
      child = spawn(process.execPath, [CLI, 'resume', runDir() as string, '--no-report'], { stdio: 'ignore' });
    }
    if (child.exitCode === null) await new Promise((resolve) => child.on('exit', resolve));
    if (!fs.existsSync(path.join(runDir() as string, 'summary.json'))) {
      const finish = spawnSync(process.execPath, [CLI, 'resume', runDir() as string, '--no-report'], {
        encoding: 'utf8',
      });
      expect(finish.status, finish.stderr).toBe(0);
    }
    expect(kills.length, `kill points (seed ${SEED}): ${kills.join(', ')}`).toBeGreaterThanOrEqual(KILLS);
    expect(await referenceDone).toBe(0);
    const refDir = path.join(refRoot, fs.readdirSync(refRoot)[0]);
    const expected = fs.readFileSync(path.join(refDir, 'metrics.jsonl'), 'utf8');
    onDiskAtKills.forEach((onDisk, k) => {
      expect(expected.startsWith(onDisk), `after kill ${k + 1} (seed ${SEED})`).toBe(true);
    });
    const dir = runDir() as string;
    expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).toBe(expected);
    for (const snapshot of fs.readdirSync(path.join(refDir, 'samples')))
      expect(fs.readFileSync(path.join(dir, 'samples', snapshot)), snapshot).toEqual(
        fs.readFileSync(path.join(refDir, 'samples', snapshot)),
      );
    expect(fs.readdirSync(path.join(dir, 'checkpoints')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
