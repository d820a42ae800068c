/**
 * `run --seeds N` runs its seeds in worker threads (experiments/executors/worker-pool.ts), which exist only in
 * the build: under vitest the pool falls back to this thread. So this test drives the built CLI and checks that each seed's
 * run folder made in a worker is byte for byte the one made one seed at a time, in the CLI's own thread
 * (--parallel 1) and in this process. A preload module records which worker threads started, so a silent
 * fallback to one thread cannot pass for the worker path.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig, runExperiment } from '../experiments/run.js';

const CLI = path.resolve('dist/cli/main.js');
const missing = !fs.existsSync(CLI);
if (missing) console.warn(`seeds-in-workers.test.ts skipped: ${CLI} is missing (npx tsc -p tsconfig.build.json)`);

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-workers-'));
const GENERATIONS = 20;
const SAMPLES = 100;
const SEED = 7;

/** Appends the thread id of every worker thread the CLI starts to $THREAD_LOG. */
const PROBE = `import fs from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
if (!isMainThread) fs.appendFileSync(process.env.THREAD_LOG, threadId + '\\n');
`;

interface SeedsRun {
  /** What each seed's run folder holds that must not depend on where it ran: seed → file → content. */
  readonly folders: Map<number, Record<string, string>>;
  readonly workerThreads: number;
}

function runSeedsCli(parallel: number): SeedsRun {
  const dir = tmp();
  const probe = path.join(dir, 'probe.mjs');
  const threadLog = path.join(dir, 'threads.log');
  fs.writeFileSync(probe, PROBE);
  fs.writeFileSync(threadLog, '');
  const args = ['--import', probe, CLI, 'run', 'gaussian', '--generations', String(GENERATIONS)];
  args.push('--samples', String(SAMPLES), '--seed', String(SEED), '--seeds', '2', '--parallel', String(parallel));
  args.push('--out', path.join(dir, 'runs'), '--json', '--no-report');
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, THREAD_LOG: threadLog },
  });
  expect(result.status, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout) as { runs: { seed: number; runDir: string }[]; report: string | null };
  const runs = parsed.runs;
  // --no-report holds in the workers too: no per-seed report, no combined one.
  expect(parsed.report).toBeNull();
  for (const r of runs)
    expect(fs.existsSync(path.join(r.runDir, 'report.html')), `${r.runDir}/report.html`).toBe(false);
  return {
    folders: new Map(runs.map((r) => [r.seed, folderContents(r.runDir)])),
    workerThreads: fs.readFileSync(threadLog, 'utf8').split('\n').filter(Boolean).length,
  };
}

/** metrics.jsonl and the samples, which derive from (config, seed) alone; no lock may be left behind. */
function folderContents(runDir: string): Record<string, string> {
  expect(fs.existsSync(path.join(runDir, 'lock')), `${runDir}/lock`).toBe(false);
  const files: Record<string, string> = {
    'metrics.jsonl': fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8'),
  };
  for (const name of fs.readdirSync(path.join(runDir, 'samples')).sort())
    files[`samples/${name}`] = fs.readFileSync(path.join(runDir, 'samples', name), 'utf8');
  return files;
}

describe.skipIf(missing)('run --seeds in worker threads (built CLI)', () => {
  it('writes each seed the bytes it gets when run alone, in one thread or in this process', async () => {
    const inWorkers = runSeedsCli(2);
    expect(inWorkers.workerThreads).toBe(2); // the worker path ran, one thread per seed
    const oneThread = runSeedsCli(1);
    expect(oneThread.workerThreads).toBe(0);

    expect([...inWorkers.folders.keys()].sort()).toEqual([SEED, SEED + 1]);
    for (const seed of [SEED, SEED + 1]) {
      const worker = inWorkers.folders.get(seed) as Record<string, string>;
      expect(worker['metrics.jsonl'].trimEnd().split('\n')).toHaveLength(GENERATIONS);
      expect(worker, `seed ${seed}: worker thread vs --parallel 1`).toEqual(oneThread.folders.get(seed));
      const config = resolveConfig('gaussian', { generations: GENERATIONS, samplesPerGeneration: SAMPLES, seed });
      const alone = await runExperiment(config, { out: tmp(), report: false });
      expect(worker, `seed ${seed}: worker thread vs this process`).toEqual(folderContents(alone.runDir as string));
    }
    // The seeds differ, or the comparison above would prove little.
    expect(inWorkers.folders.get(SEED)?.['metrics.jsonl']).not.toBe(inWorkers.folders.get(SEED + 1)?.['metrics.jsonl']);
  });
});
