/**
 * Sweeps: the grid's expansion, the local pool (skip, resume, retry), and the BullMQ fleet against a real
 * redis-server started here on a free loopback port (never a mock): two workers, one SIGKILLed mid-trial, and
 * every trial's metrics equal to a run in this process.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../experiments/run.js';
import { meanInterval, summarise } from '../metrics/seed-summary.js';
import { freePort, REDIS_SERVER, startRedis } from '../test-helpers/redis.js';
import { expandSweep } from './expand.js';
import { planSweep } from './index.js';
import { storeResult } from './queue/coordinator.js';
import { sweepView } from './report.js';
import { sweepSchema } from './spec.js';

const CLI = path.resolve('dist/cli/main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
const write = (name: string, value: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
};
const metricsOf = (trialDir: string) => fs.readFileSync(path.join(trialDir, 'metrics.jsonl'), 'utf8');
/** The metrics.jsonl an uninterrupted in-process run of the trial's config writes. */
async function expectedMetrics(trialDir: string): Promise<string> {
  const config = JSON.parse(fs.readFileSync(path.join(trialDir, 'config.json'), 'utf8'));
  const { metrics } = await runExperiment(config, { out: null });
  return metrics.map((m) => `${JSON.stringify(m)}\n`).join('');
}

describe('a sweep spec', () => {
  const spec = (extra: Record<string, unknown> = {}) =>
    sweepSchema.parse({
      name: 'grid',
      preset: 'gaussian',
      config: { generations: 5, policy: { type: 'mix' } },
      grid: { 'policy.realFraction': [0, 0.1, 0.2], samplesPerGeneration: [20, 50] },
      seeds: 2,
      ...extra,
    });

  it('expands to every combination × seed, minus excludes, plus includes, with stable ids free of ":"', () => {
    const trials = expandSweep(
      spec({
        exclude: [{ 'policy.realFraction': 0.2 }],
        include: [{ 'policy.realFraction': 0.5, samplesPerGeneration: 30 }],
      }),
    );
    expect(trials).toHaveLength((3 * 2 - 2 + 1) * 2);
    expect(new Set(trials.map((t) => t.id)).size).toBe(trials.length);
    for (const t of trials) {
      expect(t.id).toMatch(/^grid-[0-9a-f]{12}$/);
      expect(t.config.policy).toEqual({ type: 'mix', realFraction: t.point['policy.realFraction'] });
      expect(t.config.samplesPerGeneration).toBe(t.point.samplesPerGeneration);
    }
    expect(trials.map((t) => t.seed).slice(0, 2)).toEqual([1, 2]);
    // The id is the config's: the same trial from a spec written in another order has the same id.
    const reordered = expandSweep(
      sweepSchema.parse({
        seeds: 2,
        grid: { samplesPerGeneration: [20, 50], 'policy.realFraction': [0, 0.1, 0.2] },
        config: { policy: { type: 'mix' }, generations: 5 },
        preset: 'gaussian',
        name: 'grid',
      }),
    );
    expect(new Set(reordered.map((t) => t.id))).toEqual(new Set(expandSweep(spec()).map((t) => t.id)));
  });

  it('refuses a bad grid before anything starts, naming the field', () => {
    expect(() => expandSweep(spec({ maxTrials: 5 }))).toThrow(/12 trials, over maxTrials 5/);
    expect(() => expandSweep(spec({ grid: { 'policy.realFraction': [2] } }))).toThrow(
      /grid point \{"policy.realFraction":2\} \(seed 1\).*policy.realFraction/s,
    );
    expect(() => expandSweep(spec({ exclude: [{ nosuch: 1 }] }))).toThrow(/exclude: field 'nosuch' is not in the grid/);
    expect(() => planSweep({ name: 'x', grid: { generations: [] } })).toThrow(
      /grid.generations: give at least one value/,
    );
    const bad = cli([
      'sweep',
      write('bad.json', { preset: 'gaussian', grid: { samplesPerGeneration: [0] } }),
      '--out',
      'never',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/samplesPerGeneration/);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });
});

describe('the sweep report', () => {
  it('gives the t interval of the mean (hand-computed) and a geometric one for scale-like metrics', () => {
    // mean 2, sd 1, n 3: 2 ± 4.303/√3
    const { mean, lo, hi } = meanInterval([1, 2, 3]);
    expect(mean).toBe(2);
    expect(lo).toBeCloseTo(2 - 4.303 / Math.sqrt(3), 12);
    expect(hi).toBeCloseTo(2 + 4.303 / Math.sqrt(3), 12);
    expect(meanInterval([5])).toEqual({ mean: 5, lo: 5, hi: 5, n: 1 });
    const geometric = summarise('variance', [1e-8, 1e-6, 1e-4]);
    expect(geometric.mean).toBeCloseTo(1e-6, 18);
    expect(geometric.lo).toBeGreaterThan(0);
    expect(summarise('supportSize', [1, 2, 3]).mean).toBe(2);
  });
});

describe('a sweep on this machine', () => {
  it('runs every trial, skips finished ones when run again, and retries then marks a failing one', async () => {
    const data = path.join(dir, 'points.csv');
    fs.writeFileSync(data, `x\n${Array.from({ length: 60 }, (_, i) => Math.sin(i)).join('\n')}\n`);
    const file = write('local.json', {
      name: 'local',
      preset: 'gaussian',
      config: { generations: 30, real: { type: 'file', path: data } },
      grid: { samplesPerGeneration: [10, 20] },
      seeds: 2,
      retries: 1,
    });
    const first = cli(['sweep', file, '--out', 'sweeps', '--json']);
    expect(first.stderr).not.toMatch(/Error/);
    expect(JSON.parse(first.stdout)).toMatchObject({ finished: 4, failed: 0 });
    const sweepDir = path.join(dir, 'sweeps', 'local');
    // The report: a row per trial in finals.csv, a row per trial × generation × metric in curves.csv.
    const finals = fs.readFileSync(path.join(sweepDir, 'finals.csv'), 'utf8').trim().split('\n');
    expect(finals[0]).toMatch(/^trial,samplesPerGeneration,seed,generations,trainSize,realFraction,mean,variance/);
    expect(finals).toHaveLength(5);
    const curves = fs.readFileSync(path.join(sweepDir, 'curves.csv'), 'utf8').trim().split('\n');
    expect(curves[0]).toBe('trial,samplesPerGeneration,seed,generation,metric,value');
    expect(curves.filter((l) => l.endsWith(',variance,') || /,variance,/.test(l))).toHaveLength(4 * 30);
    const page = fs.readFileSync(path.join(sweepDir, 'report.html'), 'utf8');
    expect(page).toContain('geometric mean of final variance');
    // Parallel coordinates: each trial once on the grid's axis and once on the final metric, all within [0, 1].
    const parallel = sweepView(sweepDir).figures.find((f) => f.id === 'sweep-parallel');
    if (!parallel) throw new Error('no parallel-coordinates figure');
    const lines = (parallel.spec.layer as { data: { values: { trial: string; y: number }[] } }[])[0].data.values;
    expect(lines).toHaveLength(4 * 2);
    expect(new Set(lines.map((l) => l.trial)).size).toBe(4);
    expect(lines.every((l) => l.y >= 0 && l.y <= 1)).toBe(true);
    expect(fs.existsSync(path.join(sweepDir, 'figures', 'sweep-parallel.png'))).toBe(true);
    expect(page).toMatch(/Collapse rate per grid cell.*gaussian: log covarianceTrace/s);
    const record = JSON.parse(fs.readFileSync(path.join(sweepDir, 'sweep.json'), 'utf8'));
    expect(record.trials.map((t: { attempts: number }) => t.attempts)).toEqual([1, 1, 1, 1]);
    for (const t of record.trials) {
      const trialDir = path.join(sweepDir, 'trials', t.id);
      expect(metricsOf(trialDir)).toBe(await expectedMetrics(trialDir));
    }
    // compare on the sweep folder: its finished trials, one curve with its band per grid cell (2 cells × 2 seeds).
    const compared = cli(['compare', sweepDir, '--out', 'compare-local', '--json']);
    expect(compared.stderr).toBe('');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'compare-local', 'runs.json'), 'utf8')).runs).toHaveLength(4);
    const labels = fs
      .readFileSync(path.join(dir, 'compare-local', 'curves.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[1]);
    expect(new Set(labels).size).toBe(2);

    // Run again: nothing is recomputed (the summaries keep their bytes and times).
    const stamps = record.trials.map(
      (t: { id: string }) => fs.statSync(path.join(sweepDir, 'trials', t.id, 'summary.json')).mtimeMs,
    );
    expect(JSON.parse(cli(['sweep', file, '--out', 'sweeps', '--json']).stdout)).toMatchObject({ finished: 4 });
    expect(
      record.trials.map(
        (t: { id: string }) => fs.statSync(path.join(sweepDir, 'trials', t.id, 'summary.json')).mtimeMs,
      ),
    ).toEqual(stamps);

    // A trial that fails (its data file is gone when it starts) is tried 1 + retries times, then marked failed.
    const gone = path.join(dir, 'gone.csv');
    fs.copyFileSync(data, gone);
    const failing = write('failing.json', {
      name: 'failing',
      preset: 'gaussian',
      config: { generations: 10, real: { type: 'file', path: gone } },
      grid: { samplesPerGeneration: [10] },
      retries: 2,
    });
    const planned = planSweep(JSON.parse(fs.readFileSync(failing, 'utf8')));
    expect(planned.trials).toHaveLength(1);
    fs.rmSync(gone);
    const failed = cli(['sweep', failing, '--out', 'sweeps', '--json']);
    expect(failed.status).toBe(1);
    const failedRecord = JSON.parse(fs.readFileSync(path.join(dir, 'sweeps', 'failing', 'sweep.json'), 'utf8'));
    expect(failedRecord.trials[0]).toMatchObject({ state: 'failed', attempts: 3 });
    expect(failedRecord.trials[0].error).toMatch(/gone.csv/);
  });
});

/**
 * A family whose fit goes wrong in the chosen way: throws, throws where nothing catches it, calls process.exit, or
 * runs out of heap. With `once`, only the first attempt of each kind does (a marker file remembers it).
 */
const CRASHY_PLUGIN = `
import fs from 'node:fs';
import path from 'node:path';
import { defineFamily, registerFamily, vectors, z } from '${pathToFileURL(path.resolve('dist/index.js')).href}';
const crashes = ['none', 'throw', 'uncaught', 'exit', 'oom'];
registerFamily(defineFamily({
  name: 'crashy',
  description: 'a point mass whose fit fails in a chosen way',
  sampleKind: 'vectors',
  options: z.object({ type: z.literal('crashy'), crash: z.enum(crashes), once: z.boolean(), markers: z.string() }).strict(),
  weight: 1,
  create: (o) => ({
    name: 'crashy',
    sampleKind: 'vectors',
    fit: async (train) => {
      const marker = path.join(o.markers, o.crash);
      if (o.crash !== 'none' && !(o.once && fs.existsSync(marker))) {
        if (o.once) fs.writeFileSync(marker, '');
        if (o.crash === 'throw') throw new Error('crashy: thrown');
        if (o.crash === 'exit') process.exit(7);
        if (o.crash === 'uncaught') {
          setTimeout(() => { throw new Error('crashy: uncaught'); });
          return new Promise(() => {});
        }
        const hoard = [];
        for (;;) hoard.push(new Array(1e5).fill(hoard.length));
      }
      return { mean: train.samples.values.reduce((a, b) => a + b, 0) / train.samples.values.length };
    },
    sample: async (m, count, ctx) => vectors(Float64Array.from({ length: count }, () => m.mean + ctx.rng.normal()), 1),
    evaluate: async (m) => ({ mean: m.mean }),
    saveModel: async (m) => ({ json: m }),
    loadModel: async (state) => state.json,
  }),
}));
`;

describe('a sweep on the local pool, with trials that crash', () => {
  it('fails only the crashing trial (thrown, uncaught, process.exit, out of heap), retries it, and goes on', () => {
    const plugin = path.join(dir, 'crashy.mjs');
    fs.writeFileSync(plugin, CRASHY_PLUGIN);
    const markers = fs.mkdtempSync(path.join(dir, 'markers-'));
    const file = write('crashy.json', {
      name: 'crashy',
      config: {
        generations: 3,
        samplesPerGeneration: 20,
        family: { type: 'crashy', crash: 'none', once: true, markers },
        real: { type: 'gaussian', mean: [2] },
      },
      grid: { 'family.crash': ['none', 'throw', 'uncaught', 'exit', 'oom'], 'family.once': [true, false] },
      retries: 1,
    });
    const started = Date.now();
    // Two worker threads whatever the cores; a small heap so that running out of it is quick.
    const r = spawnSync(
      process.execPath,
      [CLI, '--plugin', plugin, 'sweep', file, '--out', 'crash', '--parallel', '2', '--json'],
      {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=96' },
      },
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.status).toBe(1); // some trials failed for good
    expect(JSON.parse(r.stdout)).toMatchObject({ finished: 6, failed: 4 });
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'crash', 'crashy', 'sweep.json'), 'utf8'));
    const byPoint = Object.fromEntries(
      record.trials.map((t: { point: Record<string, unknown>; state: string; attempts: number; error?: string }) => [
        `${t.point['family.crash']}/${t.point['family.once']}`,
        { state: t.state, attempts: t.attempts, error: t.error },
      ]),
    );
    // Crashing once: retried, then finished. Crashing every time: tried 1 + retries times, failed with its cause.
    for (const crash of ['none', 'throw', 'uncaught', 'exit', 'oom']) {
      expect(byPoint[`${crash}/true`]).toMatchObject({ state: 'finished', attempts: crash === 'none' ? 1 : 2 });
      if (crash !== 'none') expect(byPoint[`${crash}/false`]).toMatchObject({ state: 'failed', attempts: 2 });
    }
    expect(byPoint['none/false']).toMatchObject({ state: 'finished', attempts: 1 });
    expect(byPoint['throw/false'].error).toMatch(/crashy: thrown/);
    expect(byPoint['uncaught/false'].error).toMatch(/worker thread crashed: crashy: uncaught/);
    expect(byPoint['exit/false'].error).toMatch(/worker thread exited with code 7/);
    expect(byPoint['oom/false'].error).toMatch(/worker thread crashed: .*memory/i);
  });
});

describe('compare on a sweep', () => {
  it('says so when the cells are of different families, and gives each family its sections', () => {
    const file = write('families.json', {
      name: 'families',
      config: { generations: 3, samplesPerGeneration: 50 },
      grid: { preset: ['gaussian', 'gmm'] },
    });
    expect(cli(['sweep', file, '--out', 'families', '--no-report']).status).toBe(0);
    const sweepDir = path.join(dir, 'families', 'families');
    const r = cli(['compare', sweepDir, '--out', 'compare-families']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/these runs are of 2 families \(gaussian, gmm\); their metrics are not comparable/);
    const page = fs.readFileSync(path.join(dir, 'compare-families', 'report.html'), 'utf8');
    expect(page).toMatch(/Family gaussian: final numbers/);
    expect(page).toMatch(/Family gmm: final numbers/);
    // An empty sweep (no finished trial) is named, exit 2.
    const empty = path.join(dir, 'empty-sweep');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'sweep.json'), JSON.stringify({ trials: [{ id: 'x-1' }] }));
    const none = cli(['compare', empty]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/has no finished trial yet/);
  });
});

const hasRedis = fs.existsSync(REDIS_SERVER);

describe.skipIf(!hasRedis)('a sweep on a BullMQ queue (real redis-server)', () => {
  let redis: ChildProcess;
  let url: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port, fs.mkdtempSync(path.join(dir, 'redis-')));
    url = `redis://127.0.0.1:${port}`;
  });
  afterAll(() => {
    for (const w of workers) {
      try {
        process.kill(-(w.pid as number), 'SIGKILL');
      } catch {
        // already gone (the test killed it)
      }
    }
    redis?.kill('SIGKILL');
  });

  /** A worker in its own process group, so SIGKILL takes its sandboxed processors down with it (a machine dying). */
  const startWorker = () => {
    const w = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--lock-seconds', '2'], {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
    });
    workers.push(w);
    return w;
  };

  it('refuses a bad URL or an unreachable Redis with exit 2 within 5 s', () => {
    const started = Date.now();
    const unreachable = cli(['sweep', write('q0.json', { preset: 'gaussian' }), '--queue', 'redis://127.0.0.1:1']);
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot reach Redis at redis:\/\/127.0.0.1:1/);
    expect(Date.now() - started).toBeLessThan(5000);
    const wrong = cli(['worker', '--queue', 'http://example']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/not a redis:\/\/ URL/);
  });

  it('survives a worker killed mid-trial: another resumes it, and every trial equals a local run', async () => {
    const [a, b] = [startWorker(), startWorker()];
    const file = write('fleet.json', {
      name: 'fleet',
      preset: 'gaussian',
      config: { generations: 4000, checkpointSeconds: 0.05, samplesPerGeneration: 100 },
      grid: { 'family.estimator': ['mle', 'unbiased'] },
      seeds: 2,
    });
    const sweep = spawn(process.execPath, [CLI, 'sweep', file, '--out', 'fleet', '--queue', url], {
      cwd: dir,
      stdio: 'pipe',
    });
    let stderr = '';
    sweep.stderr.on('data', (d) => (stderr += d));
    const done = new Promise<number | null>((resolve) => sweep.on('exit', resolve));
    // Kill worker A (and its processor) once two trials have checkpoints: both workers are then mid-trial.
    const artifacts = path.join(dir, 'fleet', 'fleet', 'artifacts');
    const checkpointed = () =>
      fs.existsSync(artifacts)
        ? fs
            .readdirSync(artifacts)
            .flatMap((h) =>
              fs
                .readdirSync(path.join(artifacts, h))
                .filter((t) => fs.existsSync(path.join(artifacts, h, t, 'checkpoints', 'latest.json'))),
            ).length
        : 0;
    for (let i = 0; i < 300 && checkpointed() < 2; i++) await sleep(50);
    expect(checkpointed()).toBeGreaterThanOrEqual(2);
    process.kill(-(a.pid as number), 'SIGKILL');
    expect(await done).toBe(0);
    const sweepDir = path.join(dir, 'fleet', 'fleet');
    const record = JSON.parse(fs.readFileSync(path.join(sweepDir, 'sweep.json'), 'utf8'));
    expect(record.trials.map((t: { state: string }) => t.state)).toEqual([
      'finished',
      'finished',
      'finished',
      'finished',
    ]);
    // The killed trial was handed on (a stalled job counts as a new attempt) and resumed from its checkpoint.
    const resumed = fs
      .readdirSync(artifacts)
      .flatMap((h) => fs.readdirSync(path.join(artifacts, h)).map((t) => path.join(artifacts, h, t)))
      .filter((t) => JSON.parse(fs.readFileSync(path.join(t, 'summary.json'), 'utf8')).resumedFrom !== null);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    for (const t of record.trials) {
      const trialDir = path.join(sweepDir, 'trials', t.id);
      expect(metricsOf(trialDir)).toBe(await expectedMetrics(trialDir));
      // The snapshot samples came back through the queue too, byte for byte those on the artefacts storage.
      const onArtifacts = path.join(artifacts, record.specHash.slice(0, 12), t.id, 'samples');
      const names = fs.readdirSync(onArtifacts).sort();
      expect(names.length).toBeGreaterThan(0);
      expect(fs.readdirSync(path.join(trialDir, 'samples')).sort()).toEqual(names);
      for (const name of names)
        expect(fs.readFileSync(path.join(trialDir, 'samples', name), 'utf8')).toBe(
          fs.readFileSync(path.join(onArtifacts, name), 'utf8'),
        );
    }
    expect(stderr).not.toMatch(/Error/);
    // ... so the report draws each cell's trial figures from the sweep folder alone.
    fs.rmSync(artifacts, { recursive: true });
    const rebuilt = cli(['sweep', '--report', sweepDir]);
    expect(rebuilt.status).toBe(0);
    const trialPngs = fs.readdirSync(path.join(sweepDir, 'figures')).filter((f) => f.startsWith('trial-'));
    expect(trialPngs).toEqual(
      expect.arrayContaining(['trial-1-gaussian-variance.png', 'trial-2-gaussian-variance.png']),
    );

    // The killed worker is shown as gone, not dropped: in sweep.json (the coordinator's last look), in
    // `sweep --status` (from Redis now, with --queue) and in the report; the other is live.
    const idOf = (w: ChildProcess) => `${os.hostname()}-${w.pid}`;
    const states = (ws: { id: string; state: string }[]) => Object.fromEntries(ws.map((w) => [w.id, w.state]));
    expect(states(record.workers)).toEqual({ [idOf(a)]: 'gone', [idOf(b)]: 'live' });
    const gone = record.workers.find((w: { id: string }) => w.id === idOf(a));
    expect(Date.parse(gone.asOf) - Date.parse(gone.lastBeat)).toBeGreaterThan(gone.goneAfterSeconds * 1000);
    const status = cli(['sweep', '--status', sweepDir, '--queue', url, '--json']);
    expect(states(JSON.parse(status.stdout).workers)).toEqual({ [idOf(a)]: 'gone', [idOf(b)]: 'live' });
    const text = cli(['sweep', '--status', sweepDir]).stdout;
    expect(text).toMatch(/workers: 1 live, 1 gone/);
    expect(text).toMatch(new RegExp(`${idOf(a)}  gone  `));
    expect(fs.readFileSync(path.join(sweepDir, 'report.html'), 'utf8')).toMatch(
      new RegExp(`<td>${idOf(a)}</td><td>gone</td>`),
    );

    // Run again after completion: no job is added, nothing is stored again.
    const stamps = record.trials.map(
      (t: { id: string }) => fs.statSync(path.join(sweepDir, 'trials', t.id, 'summary.json')).mtimeMs,
    );
    const again = cli(['sweep', file, '--out', 'fleet', '--queue', url, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ finished: 4, failed: 0 });
    expect(
      record.trials.map(
        (t: { id: string }) => fs.statSync(path.join(sweepDir, 'trials', t.id, 'summary.json')).mtimeMs,
      ),
    ).toEqual(stamps);
  });

  it('carries on across a Redis restart mid-sweep (Redis persisting to its append-only file)', async () => {
    const port = await freePort();
    const data = fs.mkdtempSync(path.join(dir, 'redis-aof-'));
    const startAgain = () => startRedis(port, data, { appendOnly: true });
    let server = await startAgain();
    const queueUrl = `redis://127.0.0.1:${port}`;
    const worker = spawn(process.execPath, [CLI, 'worker', '--queue', queueUrl, '--lock-seconds', '5'], {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
    });
    workers.push(worker);
    const file = write('restart.json', {
      name: 'restart',
      preset: 'gaussian',
      config: { generations: 3000, checkpointSeconds: 0.05 },
      seeds: 2,
    });
    const sweep = spawn(
      process.execPath,
      [CLI, 'sweep', file, '--out', 'restart', '--queue', queueUrl, '--no-report'],
      { cwd: dir, stdio: 'ignore' },
    );
    const done = new Promise<number | null>((resolve) => sweep.on('exit', resolve));
    const artifacts = path.join(dir, 'restart', 'restart', 'artifacts');
    const started = () => fs.existsSync(artifacts) && fs.readdirSync(artifacts).length > 0;
    for (let i = 0; i < 300 && !started(); i++) await sleep(50);
    server.kill('SIGTERM'); // Redis writes its append-only file and stops
    await new Promise((resolve) => server.on('exit', resolve));
    await sleep(1000);
    server = await startAgain();
    try {
      expect(await done).toBe(0);
      const sweepDir = path.join(dir, 'restart', 'restart');
      const record = JSON.parse(fs.readFileSync(path.join(sweepDir, 'sweep.json'), 'utf8'));
      expect(record.trials.map((t: { state: string }) => t.state)).toEqual(['finished', 'finished']);
      for (const t of record.trials) {
        const trialDir = path.join(sweepDir, 'trials', t.id);
        expect(metricsOf(trialDir)).toBe(await expectedMetrics(trialDir));
      }
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('stores a trial delivered twice once', () => {
    const trialDir = path.join(dir, 'twice');
    const result = { config: '{}\n', metrics: '{"generation":0}\n', summary: '{"first":1}\n' };
    expect(storeResult(trialDir, result)).toBe(true);
    expect(storeResult(trialDir, { ...result, summary: '{"second":1}\n' })).toBe(false);
    expect(fs.readFileSync(path.join(trialDir, 'summary.json'), 'utf8')).toBe('{"first":1}\n');
    // Snapshot samples are stored beside it; a name that is not a snapshot file (a path out) is not.
    const withSamples = path.join(dir, 'samples-twice');
    const samples = { 'generation-0.json': '{"a":1}\n', '../../escape.json': 'x', 'generation-1.json': '{"b":2}\n' };
    expect(storeResult(withSamples, { ...result, samples })).toBe(true);
    expect(fs.readdirSync(path.join(withSamples, 'samples')).sort()).toEqual([
      'generation-0.json',
      'generation-1.json',
    ]);
    expect(fs.existsSync(path.join(dir, 'escape.json'))).toBe(false);
  });
});
