/**
 * A family from outside src/: a Poisson rate, refitted by maximum likelihood (the sample mean) to its own draws.
 * It is registered through the library API and runs through run, resume, report and compare with no edit under
 * src/. Its model state is a file it writes itself, as a model living in another process would.
 *
 * Under `replace` the fitted rate is a martingale: given λ̂₀, E[λ_G] = λ̂₀ and Var[λ_G] = G·λ̂₀/M (each refit
 * adds the variance λ/M of a mean of M draws), until the chain is absorbed at 0 — the Poisson analogue of the
 * Gaussian's variance collapse. The test checks the martingale over seeds, so the plumbing is checked with
 * numbers a wrong loop would get wrong.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildComparisonReport,
  buildRunReport,
  type Dataset,
  defineFamily,
  familyDefinitions,
  type ModelFamily,
  parseExperimentConfig,
  Rng,
  registerFamily,
  resumeExperiment,
  runExperiment,
  type VectorSamples,
  vectors,
} from '../src/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Knuth's multiplication method: fine for the small rates here. */
function poisson(rate: number, rng: Rng): number {
  const limit = Math.exp(-rate);
  let k = 0;
  for (let p = rng.uniform(); p > limit; p *= rng.uniform()) k++;
  return k;
}

function logPmf(k: number, rate: number): number {
  if (rate === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  let logFactorial = 0;
  for (let i = 2; i <= k; i++) logFactorial += Math.log(i);
  return k * Math.log(rate) - rate - logFactorial;
}

interface PoissonModel {
  readonly rate: number;
}

const poissonOptions = z.object({ type: z.literal('poisson') }).strict();

function createPoissonFamily(): ModelFamily<VectorSamples, PoissonModel> {
  return {
    name: 'poisson',
    sampleKind: 'vectors',
    async fit(train: Dataset<VectorSamples>) {
      const x = train.samples.values;
      return { rate: x.reduce((a, b) => a + b, 0) / x.length };
    },
    async sample(model, count, ctx) {
      return vectors(
        Float64Array.from({ length: count }, () => poisson(model.rate, ctx.rng)),
        1,
      );
    },
    async evaluate(model, ctx) {
      const heldOut = ctx.real.heldOut.values;
      let ll = 0;
      for (const k of heldOut) ll += logPmf(k, model.rate);
      return { rate: model.rate, heldOutLogLikelihood: ll / heldOut.length };
    },
    async score(model, samples) {
      return samples.values.map((k) => logPmf(k, model.rate));
    },
    // The state lives in a file the model writes, as a trainer in another process would write its weights.
    async saveModel(model) {
      const file = path.join(fs.mkdtempSync(path.join(dir, 'state-')), 'rate.json');
      await fs.promises.writeFile(file, JSON.stringify({ rate: model.rate }));
      return { json: { family: 'poisson' }, files: { rate: file } };
    },
    async loadModel(state) {
      const file = state.files?.rate as string;
      return JSON.parse(await fs.promises.readFile(file, 'utf8')) as PoissonModel;
    },
  };
}

const poissonFamily = defineFamily({
  name: 'poisson',
  description: 'a Poisson rate refitted by its sample mean',
  sampleKind: 'vectors',
  options: poissonOptions,
  create: createPoissonFamily,
  weight: 1,
  figures: {
    run: (run) => [
      {
        id: 'poisson-rate',
        title: 'Poisson rate by generation',
        spec: {
          data: { values: run.metrics.map((m) => ({ generation: m.generation, rate: m.rate })) },
          mark: 'line',
          encoding: {
            x: { field: 'generation', type: 'quantitative' },
            y: { field: 'rate', type: 'quantitative' },
          },
        },
      },
    ],
  },
  presets: {
    'poisson-counts': {
      description: 'Counts from a file, refitted by a Poisson rate for 30 generations.',
      config: {
        name: 'poisson-counts',
        generations: 30,
        samplesPerGeneration: 50,
        family: { type: 'poisson' },
        real: { type: 'file', path: path.join(dir, 'counts.csv') },
      },
    },
  },
});

// The user's data: 500 counts of rate 4, one per line.
const draws = new Rng(11);
fs.writeFileSync(path.join(dir, 'counts.csv'), `${Array.from({ length: 500 }, () => poisson(4, draws)).join('\n')}\n`);

registerFamily(poissonFamily);

const config = (overrides: Record<string, unknown> = {}) =>
  parseExperimentConfig({
    name: 'poisson',
    generations: 30,
    samplesPerGeneration: 50,
    family: { type: 'poisson' },
    real: { type: 'file', path: path.join(dir, 'counts.csv') },
    checkpointSeconds: 0,
    ...overrides,
  });

describe('a family registered from outside src/', () => {
  it('is listed and validated like a built-in one; names are never shadowed', () => {
    expect(familyDefinitions().map((d) => d.name)).toContain('poisson');
    expect(() => parseExperimentConfig({ ...config(), family: { type: 'poisson', rate: 3 } })).toThrow(
      /family: Unrecognized key: "rate"/,
    );
    expect(() => parseExperimentConfig({ ...config(), family: { type: 'poison' } })).toThrow(/family/);
    // Its sample kind decides what data and policies fit: vectors, so no text, no isolate.
    expect(() => parseExperimentConfig({ ...config(), real: { type: 'zipf', outcomes: 9, exponent: 1 } })).toThrow(
      /family 'poisson' cannot learn real data of type 'zipf'; use 'gaussian', 'mixture' or 'file'/,
    );
    expect(() => parseExperimentConfig({ ...config(), policy: { type: 'isolate' } })).toThrow(
      /policy 'isolate' works on sequences; family 'poisson' learns vectors/,
    );
    expect(() => registerFamily(poissonFamily)).toThrow(/already registered/);
    expect(() => registerFamily({ ...poissonFamily, name: 'gaussian' })).toThrow(/already registered/);
    expect(() => registerFamily({ ...poissonFamily, name: 'poisson-two' })).toThrow(/options.type is 'poisson'/);
  });

  it('keeps the rate a martingale under replace: E[λ_G − λ̂₀] = 0 within 4 standard errors over 40 seeds', async () => {
    const G = 20;
    const M = 50;
    const steps: number[] = [];
    let variance = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { metrics } = await runExperiment(config({ seed, generations: G + 1, samplesPerGeneration: M }), {
        out: null,
      });
      const rate0 = metrics[0].rate as number;
      steps.push((metrics[G].rate as number) - rate0);
      variance += (G * rate0) / M; // Var[λ_G | λ̂₀]
    }
    const standardError = Math.sqrt(variance / steps.length / steps.length);
    const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
    expect(Math.abs(mean)).toBeLessThan(4 * standardError);
    // …and it does move: the spread over seeds is that of the theory, not 0 (a loop that reused the real data).
    const spread = Math.sqrt(steps.reduce((a, s) => a + (s - mean) ** 2, 0) / (steps.length - 1));
    expect(spread).toBeGreaterThan(0.5 * Math.sqrt(variance / steps.length));
    expect(spread).toBeLessThan(1.5 * Math.sqrt(variance / steps.length));
  });

  it('runs from its preset, resumes after an interruption to identical metrics, and gets a report and a comparison', async () => {
    const out = path.join(dir, 'runs');
    const whole = await runExperiment(config(), { out });
    const stop = new AbortController();
    const cut = runExperiment(config(), {
      out,
      signal: stop.signal,
      onGeneration: (_, g) => g === 12 && stop.abort(),
    });
    await expect(cut).rejects.toThrow();
    const runs = fs.readdirSync(out).map((d) => path.join(out, d));
    const interrupted = runs.find((d) => !fs.existsSync(path.join(d, 'summary.json'))) as string;
    // The checkpoint holds the model's own file, copied in beside its bundle.
    expect(fs.readdirSync(path.join(interrupted, 'checkpoints')).some((f) => f.endsWith('.bin.rate'))).toBe(true);
    const resumed = await resumeExperiment(interrupted);
    expect(resumed.summary.resumedFrom).toBe(13);
    expect(fs.readFileSync(path.join(interrupted, 'metrics.jsonl'), 'utf8')).toBe(
      fs.readFileSync(path.join(whole.runDir as string, 'metrics.jsonl'), 'utf8'),
    );

    const report = await buildRunReport(whole.runDir as string);
    expect(fs.readFileSync(report.html, 'utf8')).toContain('Poisson rate by generation');
    const compared = await buildComparisonReport([whole.runDir as string, interrupted], path.join(dir, 'compare'));
    expect(fs.readFileSync(compared.html, 'utf8')).toContain('rate');

    const preset = await runExperiment(
      (await import('../src/index.js')).resolveConfig('poisson-counts', { generations: 3 }),
      { out: null },
    );
    expect(preset.metrics).toHaveLength(3);
  });
});

/** The same idea as a plain JavaScript plugin for the command line (`--plugin FILE`), against the built package. */
const PLUGIN = `
import { defineFamily, registerFamily, vectors, z } from '${pathToFileURL(path.resolve('dist/index.js')).href}';
registerFamily(defineFamily({
  name: 'mean-shift',
  description: 'a point mass refitted to the sample mean',
  sampleKind: 'vectors',
  options: z.object({ type: z.literal('mean-shift') }).strict(),
  weight: 1,
  create: () => ({
    name: 'mean-shift',
    sampleKind: 'vectors',
    fit: async (train) => ({ mean: train.samples.values.reduce((a, b) => a + b, 0) / train.samples.values.length }),
    sample: async (m, count, ctx) => vectors(Float64Array.from({ length: count }, () => m.mean + ctx.rng.normal()), 1),
    evaluate: async (m) => ({ mean: m.mean }),
    saveModel: async (m) => ({ json: m }),
    loadModel: async (state) => state.json,
  }),
}));
`;

describe('a family from a plugin on the command line', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [path.resolve('dist/cli/main.js'), ...args], { encoding: 'utf8', cwd: dir });

  it('runs and lists with --plugin, and without it names the family field', () => {
    const plugin = path.join(dir, 'mean-shift.mjs');
    fs.writeFileSync(plugin, PLUGIN);
    const config = path.join(dir, 'mean-shift.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        name: 'shift',
        generations: 5,
        samplesPerGeneration: 20,
        family: { type: 'mean-shift' },
        real: { type: 'gaussian', mean: [2] },
      }),
    );
    const out = path.join(dir, 'plugin-runs');
    const run = cli([
      '--plugin',
      plugin,
      'run',
      '--config',
      config,
      '--out',
      out,
      '--json',
      '--no-report',
      '--progress',
      'none',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.family).toBe('mean-shift');
    expect(summary.final.generation).toBe(4);
    expect(cli(['--plugin', plugin, 'list']).stdout).toMatch(/mean-shift +a point mass refitted/);
    // --seeds runs in worker threads: they load the plugin too.
    const seeds = cli([
      '--plugin',
      plugin,
      'run',
      '--config',
      config,
      '--out',
      out,
      '--seeds',
      '2',
      '--json',
      '--no-report',
      '--progress',
      'none',
    ]);
    expect(seeds.stderr).toBe('');
    expect(JSON.parse(seeds.stdout).runs.map((r: { seed: number }) => r.seed)).toEqual([1, 2]);
    const without = cli(['run', '--config', config, '--out', out]);
    expect(without.status).toBe(2);
    expect(without.stderr).toMatch(/family/);
    expect(cli(['--plugin', path.join(dir, 'missing.mjs'), 'list']).stderr).toMatch(
      /--plugin: '.*missing.mjs' does not exist/,
    );
  });
});
