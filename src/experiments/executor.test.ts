/**
 * The executor seam: reproduce hands every run to the executor it is given, once, and reads the outcomes back
 * by position; the in-process executor and the worker pool both return one outcome per job, in the jobs' order,
 * with a failed run's error in its slot. The worker pool's threads exist only in the build (dist/), so that part
 * drives the compiled module in a child process, with a preload that counts the worker threads it starts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunGroup } from '../plots/groups.js';
import type { ExperimentConfig } from './config.js';
import type { Executor, ExecutorEvents, RunJob } from './executor.js';
import { inProcessExecutor } from './executors/in-process.js';
import { registerExperiment } from './paper/index.js';
import { reproduce } from './reproduce.js';
import { resolveConfig, seedConfigs } from './run.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-executor-'));

/** Runs in this thread and remembers every job it was handed. */
class RecordingExecutor implements Executor {
  readonly name = 'recording';
  readonly jobs: RunJob[] = [];
  private readonly inner = inProcessExecutor();
  run(jobs: readonly RunJob[], events?: ExecutorEvents) {
    this.jobs.push(...jobs);
    return this.inner.run(jobs, events);
  }
}

/** Two small experiments whose runs differ in cost, so the suite's longest-first order interleaves them. */
const tiny = (preset: string, overrides: Record<string, unknown>) =>
  resolveConfig(preset, { samplesPerGeneration: 30, heldOutSize: 100, ...overrides });
/** 'preset/seed=final value' per run of a group, so a sentence shows which runs an experiment was handed. */
const describeRuns = (g: RunGroup, metric: string) =>
  g.runs.map((r) => `${r.config.preset}/${r.config.seed}=${r.metrics[r.metrics.length - 1]?.[metric]}`).join(' ');
registerExperiment({
  id: 'seam-gaussian',
  title: 'seam: gaussian',
  claim: 'every run reaches its experiment',
  configs: () => [
    ...seedConfigs(tiny('gaussian', { generations: 3 }), 2),
    tiny('gaussian', { generations: 9, policy: { type: 'accumulate' } }),
  ],
  findings: (groups) => ({
    sentences: groups.map((g) => `${g.label}: ${describeRuns(g, 'variance')}`),
    table: { headers: ['runs'], rows: groups.map((g) => [String(g.runs.length)]) },
  }),
});
registerExperiment({
  id: 'seam-dice',
  title: 'seam: dice',
  claim: 'and no other',
  configs: () => [tiny('dice', { generations: 6 }), tiny('dice', { generations: 2, policy: { type: 'mix' } })],
  findings: (groups) => ({
    sentences: groups.map((g) => `${g.label}: ${describeRuns(g, 'supportSize')}`),
    table: { headers: ['runs'], rows: groups.map((g) => [String(g.runs.length)]) },
  }),
});
const key = (c: ExperimentConfig) => JSON.stringify(c);

describe('reproduce through an executor', () => {
  it('hands every run to the executor exactly once and reads the same findings as the default executor', async () => {
    const only = ['seam-gaussian', 'seam-dice'];
    const recording = new RecordingExecutor();
    const out = tmp();
    const viaFake = await reproduce({ only, out, executor: recording });
    const viaDefault = await reproduce({ only, out: tmp() });

    const wanted = [
      ...seedConfigs(tiny('gaussian', { generations: 3 }), 2),
      tiny('gaussian', { generations: 9, policy: { type: 'accumulate' } }),
      tiny('dice', { generations: 6 }),
      tiny('dice', { generations: 2, policy: { type: 'mix' } }),
    ];
    expect(recording.jobs.map((j) => key(j.config)).sort()).toEqual(wanted.map(key).sort());
    expect(new Set(recording.jobs.map((j) => j.out))).toEqual(new Set([path.join(out, 'runs')]));
    expect(viaFake.experiments).toEqual(viaDefault.experiments);
    // Each experiment got its own runs back, grouped: the gaussian's 2 seeds and accumulate, the dice's two.
    const [gaussian, dice] = viaFake.experiments;
    expect(gaussian.sentences).toEqual([
      expect.stringMatching(/replace \(2 seeds\): gaussian\/1=\S+ gaussian\/2=\S+$/),
      expect.stringMatching(/ accumulate: gaussian\/1=\S+$/),
    ]);
    expect(dice.sentences).toEqual([
      expect.stringMatching(/ replace: dice\/1=\d$/),
      expect.stringMatching(/ mix 10% real: dice\/1=\d$/),
    ]);
    expect(gaussian.table.rows).toEqual([['2'], ['1']]);
  });

  it('refuses an executor that loses runs', async () => {
    const lossy: Executor = { name: 'lossy', run: async () => [] };
    await expect(reproduce({ only: ['seam-dice'], out: tmp(), executor: lossy })).rejects.toThrow(
      "executor 'lossy' returned 0 outcomes for 2 jobs",
    );
  });
});

const missing = () => path.join(tmp(), 'no-such-points.csv');
/** A long run, one that fails on bad input, and a short one: a pool finishes them out of order. */
const mixedJobs = (badPath: string, long: number) => [
  tiny('gaussian', { generations: long, seed: 1 }),
  tiny('gmm', { generations: 3, real: { type: 'file', path: badPath } }),
  tiny('gaussian', { generations: 4, seed: 2 }),
];

describe('the in-process executor', () => {
  it('returns an outcome per job in job order, a failed run in its slot, and each run its progress', async () => {
    const bad = missing();
    const seen = new Map<number, number[]>();
    const outcomes = await inProcessExecutor().run(
      mixedJobs(bad, 40).map((config) => ({ config, out: null })),
      {
        onGeneration: (index, generation, line) => {
          expect(line?.generation).toBe(generation);
          seen.set(index, [...(seen.get(index) ?? []), generation]);
        },
      },
    );
    expect(outcomes.map((o) => ('summary' in o ? o.summary.seed : 'error'))).toEqual([1, 'error', 2]);
    expect(outcomes.map((o) => ('summary' in o ? o.summary.generations : null))).toEqual([40, null, 4]);
    const failed = outcomes[1] as { error: Error & { exitCode?: number } };
    expect(failed.error.message).toContain(bad);
    expect(failed.error.exitCode).toBe(2);
    expect(seen.get(0)).toEqual(Array.from({ length: 40 }, (_, g) => g));
    expect(seen.has(1)).toBe(false);
    expect(seen.get(2)).toEqual([0, 1, 2, 3]);
  });
});

const POOL = path.resolve('dist/experiments/executors/worker-pool.js');
const noBuild = !fs.existsSync(POOL);
if (noBuild) console.warn(`executor.test.ts: worker pool skipped, ${POOL} is missing (npx tsc -p tsconfig.build.json)`);

/** Appends the thread id of every worker thread started to $THREAD_LOG. */
const PROBE = `import fs from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
if (!isMainThread) fs.appendFileSync(process.env.THREAD_LOG, threadId + '\\n');
`;

/** Runs the configs through the compiled worker pool in a child process and prints what came back. */
const DRIVER = `import { workerPoolExecutor } from ${JSON.stringify(pathToFileURL(POOL).href)};
const { configs, out } = JSON.parse(process.env.JOBS);
const last = {};
const outcomes = await workerPoolExecutor({ threads: 2 }).run(
  configs.map((config) => ({ config, out, report: false })),
  { onGeneration: (index, generation) => { last[index] = generation; } },
);
const plain = outcomes.map((o) =>
  'summary' in o ? { seed: o.summary.seed, generations: o.summary.generations, runDir: o.summary.runDir }
    : { error: o.error.message, exitCode: o.error.exitCode });
process.stdout.write(JSON.stringify({ outcomes: plain, last }));
`;

describe.skipIf(noBuild)('the worker-pool executor (built)', () => {
  it('runs jobs in worker threads and returns outcomes in job order, a failed run in its slot', () => {
    const dir = tmp();
    const bad = missing();
    fs.writeFileSync(path.join(dir, 'probe.mjs'), PROBE);
    fs.writeFileSync(path.join(dir, 'driver.mjs'), DRIVER);
    fs.writeFileSync(path.join(dir, 'threads.log'), '');
    const result = spawnSync(
      process.execPath,
      ['--import', path.join(dir, 'probe.mjs'), path.join(dir, 'driver.mjs')],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          THREAD_LOG: path.join(dir, 'threads.log'),
          JOBS: JSON.stringify({ configs: mixedJobs(bad, 2000), out: path.join(dir, 'runs') }),
        },
      },
    );
    expect(result.status, result.stderr).toBe(0);
    const { outcomes, last } = JSON.parse(result.stdout);
    const threads = fs.readFileSync(path.join(dir, 'threads.log'), 'utf8').split('\n').filter(Boolean);
    expect(threads).toHaveLength(2); // the pool ran, not the in-process fallback
    expect(outcomes[0]).toMatchObject({ seed: 1, generations: 2000 });
    expect(outcomes[1].error).toContain(bad);
    expect(outcomes[1].exitCode).toBe(2);
    expect(outcomes[2]).toMatchObject({ seed: 2, generations: 4 });
    expect(fs.readdirSync(path.join(dir, 'runs'))).toHaveLength(2);
    // Progress is thinned out, but each run's last generation always comes through, under the job's index.
    expect(last).toEqual({ 0: 1999, 2: 3 });
  });
});
