/**
 * A run folder is untrusted input: resume after each kind of damage either finishes with exactly the metrics
 * of an uninterrupted run (falling back to the older checkpoint when the newest is damaged) or stops with a
 * RunFolderError/DamagedFileError (exit 2) naming the problem, and never reads or deletes outside the folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRuns } from '../core/run-store.js';
import type { ExperimentConfig } from './config.js';
import { resolveConfig, resumeExperiment, runExperiment } from './run.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-damage-'));

const base = {
  generations: 30,
  samplesPerGeneration: 40,
  heldOutSize: 50,
  checkpointSeconds: 0,
  snapshotGenerations: [0, 29],
};

const expectedCache = new Map<string, string[]>();
async function expected(config: ExperimentConfig): Promise<string[]> {
  const key = JSON.stringify(config);
  if (!expectedCache.has(key))
    expectedCache.set(
      key,
      (await runExperiment(config, { out: null })).metrics.map((m) => JSON.stringify(m)),
    );
  return expectedCache.get(key) as string[];
}

/** A run stopped after generation `stop` (checkpointed at `stop`, its fallback at `stop - 1`), as a kill leaves it. */
async function stoppedRun(stop: number, overrides: Record<string, unknown> = {}) {
  const config = resolveConfig('gaussian', { ...base, ...overrides });
  const out = tmp();
  const abort = new AbortController();
  let dir = '';
  await expect(
    runExperiment(config, {
      out,
      report: false,
      signal: abort.signal,
      onGeneration: (_, g) => {
        if (g === stop) abort.abort();
      },
    }),
  ).rejects.toThrow();
  dir = path.join(out, fs.readdirSync(out)[0]);
  const file = (...parts: string[]) => path.join(dir, ...parts);
  return { config, dir, out, file };
}

async function resume(dir: string, restart = false) {
  const notices: string[] = [];
  await resumeExperiment(dir, { report: false, restart, onNotice: (m) => notices.push(m) });
  return notices;
}

const lines = (dir: string) => fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');

describe('resume of a damaged run folder', () => {
  it('falls back to the previous checkpoint when the newest is torn or garbled, and says so', async () => {
    for (const damage of ['truncate', 'garble', 'delete'] as const) {
      const run = await stoppedRun(12);
      const model = run.file('checkpoints', 'model-g12.bin');
      if (damage === 'truncate') fs.truncateSync(model, fs.statSync(model).size - 5);
      if (damage === 'garble') {
        const bytes = fs.readFileSync(model);
        bytes[bytes.length - 40] ^= 1;
        fs.writeFileSync(model, bytes);
      }
      if (damage === 'delete') fs.rmSync(model);
      const notices = await resume(run.dir);
      expect(notices.join('\n'), damage).toMatch(
        /checkpoint at generation 12: .*model-g12\.bin: .*Resuming from the checkpoint at generation 11 instead/,
      );
      expect(lines(run.dir)).toEqual(await expected(run.config));
    }
  });

  it('a hole in metrics.jsonl: refills it from the older checkpoint when it can, else exit 2 naming the gap and --restart', async () => {
    // The newest checkpoint's own line is missing: the checkpoint before it is consistent.
    const last = await stoppedRun(12);
    fs.writeFileSync(last.file('metrics.jsonl'), `${lines(last.dir).slice(0, 12).join('\n')}\n`);
    expect((await resume(last.dir)).join()).toMatch(/generations 12\.\.12 are missing.*generation 11 instead/);
    expect(lines(last.dir)).toEqual(await expected(last.config));

    const cases: [string, (text: string[]) => string[], RegExp][] = [
      ['deleted', () => [], /metrics\.jsonl holds no lines, but generations 0\.\.20 were recorded/],
      [
        'lines 10-15 cut',
        (t) => [...t.slice(0, 10), ...t.slice(16)],
        /line 11 holds generation 16 where generation 10 belongs; generation 10 is missing/,
      ],
      [
        'out of order',
        (t) => [...t.slice(0, 3), t[4], t[3], ...t.slice(5)],
        /line 4 holds generation 4 .*out of order/,
      ],
      [
        'garbled line',
        (t) => [...t.slice(0, 5), '{"generation": oops', ...t.slice(6)],
        /line 6 \(generation 5\) is damaged: line 6 is not JSON/,
      ],
    ];
    for (const [label, cut, message] of cases) {
      const run = await stoppedRun(20);
      const metrics = run.file('metrics.jsonl');
      if (label === 'deleted') fs.rmSync(metrics);
      else fs.writeFileSync(metrics, `${cut(lines(run.dir)).join('\n')}\n`);
      const error = await resume(run.dir).catch((e: Error & { exitCode?: number }) => e);
      expect(error, label).toBeInstanceOf(Error);
      expect((error as { exitCode?: number }).exitCode).toBe(2);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/--restart/);
      await resume(run.dir, true);
      expect(lines(run.dir), label).toEqual(await expected(run.config));
    }
  });

  it('never follows a crafted latest.json or a symlink out of the folder, and deletes nothing outside', async () => {
    const victim = path.join(tmp(), 'precious.bin');
    fs.writeFileSync(victim, 'precious');
    const traversals = [path.relative('/x/y/checkpoints', victim), victim, '../config.json'];
    for (const name of traversals) {
      const run = await stoppedRun(6);
      const pointer = JSON.parse(fs.readFileSync(run.file('checkpoints', 'latest.json'), 'utf8'));
      fs.writeFileSync(run.file('checkpoints', 'latest.json'), JSON.stringify({ ...pointer, model: name }));
      await expect(resume(run.dir)).rejects.toThrow(
        /latest\.json: model: must be a file name like model-g12\.bin; the run folder is damaged/,
      );
    }
    // A checkpoint file that is a symlink out: refused, the older checkpoint used, the target untouched.
    const run = await stoppedRun(6);
    fs.rmSync(run.file('checkpoints', 'model-g6.bin'));
    fs.symlinkSync(victim, run.file('checkpoints', 'model-g6.bin'));
    expect((await resume(run.dir)).join()).toMatch(/model-g6\.bin' leads outside the run folder/);
    expect(lines(run.dir)).toEqual(await expected(run.config));
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('reads the data file a config names only as the run recorded it (an edited config.json cannot point elsewhere)', async () => {
    const data = path.join(tmp(), 'points.csv');
    fs.writeFileSync(data, Array.from({ length: 200 }, (_, i) => `${Math.sin(i)},${Math.cos(3 * i)}`).join('\n'));
    const run = await stoppedRun(4, { family: { type: 'gmm' }, real: { type: 'file', path: data } });
    const config = JSON.parse(fs.readFileSync(run.file('config.json'), 'utf8'));
    const other = path.join(tmp(), 'other.csv');
    fs.writeFileSync(other, '1,2\n3,4\n'.repeat(100));
    fs.writeFileSync(run.file('config.json'), JSON.stringify({ ...config, real: { ...config.real, path: other } }));
    await expect(resume(run.dir)).rejects.toThrow(/real\.path: '.*other\.csv' changed since the run started/);
    const { sha256: _, ...unrecorded } = config.real;
    fs.writeFileSync(run.file('config.json'), JSON.stringify({ ...config, real: { ...unrecorded, path: other } }));
    await expect(resume(run.dir)).rejects.toThrow(/config\.json: real\.sha256 is missing: .*this config was edited/);
  });

  it('removes the orphans a kill leaves (model-gN.bin past the pointer, side files, temporaries) and nothing else', async () => {
    const run = await stoppedRun(8);
    const checkpoints = run.file('checkpoints');
    for (const orphan of ['model-g9.bin', 'model-g9.bin.weights', 'synthetic-g3.bin', 'model-g8.bin.tmp-99999'])
      fs.writeFileSync(path.join(checkpoints, orphan), 'x');
    fs.writeFileSync(path.join(checkpoints, 'notes.txt'), 'mine');
    await resume(run.dir);
    expect(fs.readdirSync(checkpoints).sort()).toEqual(
      [
        'latest.json',
        'model-g0.bin',
        'model-g28.bin',
        'model-g29.bin',
        'notes.txt',
        'synthetic-g28.bin',
        'synthetic-g29.bin',
      ].sort(),
    );
    expect(JSON.parse(fs.readFileSync(path.join(checkpoints, 'latest.json'), 'utf8'))).toMatchObject({
      generation: 29,
      previous: { generation: 28 },
    });
  });

  it('resumes a folder written by the format before checksums (test/fixtures/old-format-run)', async () => {
    const dir = path.join(tmp(), 'old');
    fs.cpSync(path.resolve('test/fixtures/old-format-run'), dir, { recursive: true });
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as ExperimentConfig;
    await resume(dir);
    expect(lines(dir)).toEqual(await expected(config));
    expect(
      fs
        .readFileSync(path.join(dir, 'checkpoints', 'model-g11.bin'))
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('CLAB\x02');
  });

  it('lists a damaged folder as damaged, naming the file, beside the healthy ones', async () => {
    const good = await stoppedRun(3);
    const bad = path.join(good.out, 'broken-run');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'config.json'), '{"name": "broken", "generations": "many"');
    const runs = listRuns(good.out);
    expect(runs.map((r) => r.status)).toEqual(['damaged', 'running']); // this process's fresh heartbeat
    expect(runs[0].problem).toMatch(/broken-run\/config\.json: not JSON; the run folder is damaged/);
    fs.writeFileSync(path.join(bad, 'config.json'), '{"name": "broken", "generations": "many"}');
    expect(listRuns(good.out)[0].problem).toMatch(/config\.json: seed: /);
  });
});
