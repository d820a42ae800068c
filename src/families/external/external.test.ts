/**
 * The external family against a trainer written here (test-helpers/fake-trainer.ts): real runs through the loop,
 * a trainer that crashes, hangs, writes garbage, answers another protocol version or reports an error at each
 * verb (a clear error naming the verb and its stderr, a folder with nothing half-written, then a resume that
 * ends with exactly the uninterrupted metrics), a restart after a crash, and kill -9 of the lab during a fit.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resumeExperiment, runExperiment } from '../../experiments/run.js';
import { FAKE_TRAINER } from './test-helpers/fake-trainer.js';

const CLI = path.resolve('dist/cli/main.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-external-'));
const fake = path.join(root, 'fake-trainer.mjs');
const faultFile = path.join(root, 'fault');

beforeAll(() => fs.writeFileSync(fake, FAKE_TRAINER));

function vectorConfig(name: string, family: Record<string, unknown> = {}) {
  return {
    name,
    seed: 11,
    generations: 4,
    samplesPerGeneration: 40,
    heldOutSize: 60,
    checkpointSeconds: 0,
    family: {
      type: 'external-vectors' as const,
      command: [process.execPath, fake],
      env: { FAULT_FILE: faultFile },
      restarts: 0,
      timeoutSeconds: 30,
      ...family,
    },
    real: {
      type: 'gaussian' as const,
      mean: [1, -2],
      covariance: [
        [1, 0.3],
        [0.3, 0.5],
      ],
    },
    snapshotGenerations: [0, 3],
  };
}

const metricsOf = (dir: string) => fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
const only = (dir: string) => path.join(dir, fs.readdirSync(dir)[0]);
let reference = '';

describe('external family: a trainer process through the loop', () => {
  it('runs a vector trainer: its metrics, its fit metrics, the same numbers twice', async () => {
    const a = await runExperiment(vectorConfig('ref'), { out: path.join(root, 'ref'), report: false });
    const b = await runExperiment(vectorConfig('ref'), { out: null });
    expect(b.metrics).toEqual(a.metrics);
    reference = metricsOf(a.runDir as string);
    const [g0, , , g3] = a.metrics;
    // Generation 0 fits the real data: its samples are as spread as N(0, Σ)'s, its held-out likelihood near the truth's.
    expect(g0.sampleSpread as number).toBeGreaterThan(0.5);
    expect(g0.testLogLikelihood as number).toBeGreaterThan(-3.5);
    expect(g0.trainerItems).toBe(40);
    // Refitting on its own 40 samples loses spread on average (the collapse this lab measures); here it drifts.
    expect(g3.slicedW2 as number).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(a.runDir as string, 'scratch'))).toBe(false);
    const snap = JSON.parse(fs.readFileSync(path.join(a.runDir as string, 'samples', 'generation-3.json'), 'utf8'));
    expect(snap).toBeTruthy();
  });

  const cases: [string, string, string][] = [
    ['hello', 'crash', 'exited with code 3'],
    ['hello', 'hang', 'no answer and no progress'],
    ['hello', 'garbage', 'not a protocol message'],
    ['hello', 'version', 'protocol version 99; this lab speaks version 1'],
    ['hello', 'error', 'deliberate failure at hello'],
    ['fit', 'crash', 'exited with code 3'],
    ['fit', 'hang', 'no answer and no progress'],
    ['fit', 'garbage', 'not a protocol message'],
    ['fit', 'error', 'deliberate failure at fit'],
    ['save', 'crash', 'exited with code 3'],
    ['save', 'garbage', 'not a protocol message'],
    ['generate', 'crash', 'exited with code 3'],
    ['generate', 'hang', 'no answer and no progress'],
    ['generate', 'garbage', 'not a protocol message'],
    ['score', 'crash', 'exited with code 3'],
    ['score', 'hang', 'no answer and no progress'],
    ['score', 'garbage', 'not a protocol message'],
  ];
  it.each(cases)(
    '%s → %s: a clear error naming the verb, nothing half-written, then resume completes',
    async (verb, mode, says) => {
      // The second fit/save/generate (generation 1), the third score (generation 1's first), the first hello.
      const nth = { hello: 1, fit: 2, save: 2, generate: 2, score: 3 }[verb];
      fs.writeFileSync(faultFile, `${verb}:${mode}:${nth}`);
      const out = path.join(root, `${verb}-${mode}`);
      const timeoutSeconds = mode === 'hang' ? 2 : 30;
      const failed = runExperiment(vectorConfig('ref', { timeoutSeconds }), { out, report: false });
      await expect(failed).rejects.toThrow(`failed at '${verb}': `);
      const error = (await failed.catch((e: Error) => e)) as Error;
      expect(error.message).toContain(says);
      expect(error.message).toContain(`fake trainer: about to ${mode} at ${verb}`); // its stderr
      expect(error.message).toContain('collapse-lab resume');
      expect((error as { exitCode?: number }).exitCode).toBe(2);
      const dir = only(out);
      expect(fs.existsSync(path.join(dir, 'scratch'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
      const lines = metricsOf(dir);
      expect(reference.startsWith(lines)).toBe(true);
      if (verb !== 'hello') expect(lines.split('\n').length - 1).toBe(1); // generation 0 is done and kept

      fs.rmSync(faultFile);
      await resumeExperiment(dir, { report: false });
      expect(metricsOf(dir)).toBe(reference);
    },
  );

  it('a load that fails on resume names load; the next resume completes', async () => {
    fs.writeFileSync(faultFile, 'fit:crash:3');
    const out = path.join(root, 'load');
    await expect(runExperiment(vectorConfig('ref'), { out, report: false })).rejects.toThrow("failed at 'fit'");
    fs.writeFileSync(faultFile, 'load:crash:1');
    await expect(resumeExperiment(only(out), { report: false })).rejects.toThrow("failed at 'load'");
    fs.rmSync(faultFile);
    await resumeExperiment(only(out), { report: false });
    expect(metricsOf(only(out))).toBe(reference);
  });

  it('restarts a trainer that crashed, reloading the models it needs, and ends with the same metrics', async () => {
    fs.writeFileSync(faultFile, 'generate:crash:3:once');
    const out = path.join(root, 'restart');
    await runExperiment(vectorConfig('ref', { restarts: 1 }), { out, report: false });
    expect(fs.existsSync(faultFile)).toBe(false); // it did crash
    expect(metricsOf(only(out))).toBe(reference);
  });

  it('runs a text trainer under the LM protocol: perplexities, the histogram, continuations', async () => {
    const words = 'the cat sat on a mat while dogs ran far and birds flew over green hills'.split(' ');
    let text = '';
    for (let i = 0; i < 4000; i++)
      text += `${words[(i * 7 + (i % 5) * 3) % words.length]}${i % 12 === 11 ? '\n' : ' '}`;
    const file = path.join(root, 'text.txt');
    fs.writeFileSync(file, text);
    const { metrics } = await runExperiment(
      {
        name: 'text',
        generations: 3,
        samplesPerGeneration: 30,
        family: { type: 'external', command: [process.execPath, fake], continuationLength: 8, fixedPrompts: 2 },
        real: { type: 'text', path: file, blockSize: 16 },
      },
      { out: null },
    );
    const g0 = metrics[0];
    // A unigram over 16 word types: perplexity between 1 and the vocabulary size (plus <unk> and the like).
    expect(g0.testPerplexity as number).toBeGreaterThan(5);
    expect(g0.testPerplexity as number).toBeLessThan(30);
    expect((g0.syntheticPerplexityHistogram as number[]).reduce((a, b) => a + b, 0)).toBe(30);
    expect((g0.continuation0 as number[]).length).toBe(8);
    expect(g0.trainerItems).toBe(30);
  });

  it('rejects a trainer command that is not there before writing anything (exit 2, the field named)', async () => {
    const out = path.join(root, 'missing');
    const missing = runExperiment(vectorConfig('ref', { command: ['/nonexistent/python3', 'x.py'] }), { out });
    await expect(missing).rejects.toThrow(/family\.command\[0\]: '\/nonexistent\/python3' is not an executable/);
    await expect(missing).rejects.toMatchObject({ exitCode: 2 });
    expect(fs.existsSync(out)).toBe(false);
    await expect(runExperiment(vectorConfig('ref', { cwd: '/nonexistent-folder' }), { out })).rejects.toThrow(
      "family.cwd: folder '/nonexistent-folder' does not exist",
    );
  });

  it('stops the trainer at once when the run is aborted mid-fit', async () => {
    const controller = new AbortController();
    const fits = path.join(root, 'abort.fits');
    const run = runExperiment(vectorConfig('ref', { env: { FIT_MS: '20000', FIT_LOG: fits } }), {
      out: null,
      signal: controller.signal,
    });
    while (!fs.existsSync(fits)) await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    controller.abort(new Error('cancelled by the test'));
    await expect(run).rejects.toThrow('cancelled by the test');
    expect(performance.now() - started).toBeLessThan(5000); // not the 20 s the fit would take
  });

  it('rejects a decoding the trainer does not offer, naming the field', async () => {
    const file = path.join(root, 'text.txt');
    await expect(
      runExperiment(
        {
          name: 'beam',
          generations: 1,
          samplesPerGeneration: 10,
          family: { type: 'external', command: [process.execPath, fake], decoding: { type: 'greedy' } },
          real: { type: 'text', path: file, blockSize: 16 },
        },
        { out: null },
      ),
    ).rejects.toThrow("family.decoding.type is 'greedy', which it does not offer (it offers sample)");
  });

  it('kill -9 of collapse-lab during a fit, then resume: the uninterrupted metrics, and no trainer left running', {
    timeout: 60_000,
  }, async () => {
    const configFile = path.join(root, 'kill.json');
    const pids = path.join(root, 'kill.pids');
    const fits = path.join(root, 'kill.fits');
    const config = vectorConfig('ref', { env: { FIT_MS: '1500', PID_FILE: pids, FIT_LOG: fits } });
    fs.writeFileSync(configFile, JSON.stringify(config));
    const out = path.join(root, 'kill');
    const child = spawn(process.execPath, [CLI, 'run', '--config', configFile, '--out', out, '--no-report'], {
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Wait until the trainer has started generation 1's fit (it lasts 1.5 s), then kill the lab, not the trainer.
    while (!(fs.existsSync(fits) && fs.readFileSync(fits, 'utf8').includes('fit 1\n')))
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await exited;
    expect(metricsOf(only(out)).split('\n').length - 1).toBe(1);
    // The orphaned trainer sees its stdin close and exits on its own.
    const [pid] = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
    const scratch = path.join(only(out), 'scratch');
    expect(fs.existsSync(scratch)).toBe(true); // what the killed run left: resume empties it, the end removes it
    const resumed = spawn(process.execPath, [CLI, 'resume', only(out), '--no-report'], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => resumed.on('exit', resolve));
    expect(code).toBe(0);
    expect(metricsOf(only(out))).toBe(reference);
    expect(fs.existsSync(scratch)).toBe(false);
  });
});
