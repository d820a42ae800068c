import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { resolveConfig, runExperiment } from './run.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-'));
const small = (overrides: Record<string, unknown> = {}) =>
  resolveConfig('gmm', { generations: 25, samplesPerGeneration: 200, heldOutSize: 500, ...overrides });

describe('runExperiment', () => {
  it('is deterministic: same config and seed give bit-identical metrics; another seed does not', async () => {
    const a = await runExperiment(small(), { out: null });
    const b = await runExperiment(small(), { out: null });
    expect(JSON.stringify(a.metrics)).toBe(JSON.stringify(b.metrics));
    const c = await runExperiment(small({ seed: 2 }), { out: null });
    expect(JSON.stringify(c.metrics)).not.toBe(JSON.stringify(a.metrics));
  });

  it('writes a run folder whose metrics.jsonl holds exactly the in-memory metrics', async () => {
    const out = tmp();
    const result = await runExperiment(small({ policy: { type: 'accumulate' } }), { out });
    const dir = result.runDir as string;
    expect(path.basename(dir)).toMatch(/^gmm-(replace|accumulate)-seed\d+-\d{8}-\d{6}$/);
    const lines = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(result.metrics.map((m) => JSON.stringify(m)));
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ preset: 'gmm', generations: 25, policy: { type: 'accumulate' } });
    expect(config.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')).final.generation).toBe(24);
    expect(fs.readdirSync(path.join(dir, 'samples'))).toContain('generation-0.json');
    // Accumulate: the training set grows by M each generation and its real share is 200 / size.
    result.metrics.forEach((m, g) => {
      expect(m.trainSize).toBe(200 * (g + 1));
      expect(m.realFraction).toBeCloseTo(g === 0 ? 1 : 1 / (g + 1), 15);
    });
  });

  it('reports the real share for mix and resolves --policy mix with its default fraction', async () => {
    const result = await runExperiment(small({ policy: { type: 'mix', realFraction: 0.25 } }), { out: null });
    expect(result.metrics.slice(1).every((m) => m.realFraction === 0.25)).toBe(true);
    expect(resolveConfig('gmm', { policy: { type: 'mix' } }).policy).toEqual({ type: 'mix', realFraction: 0.1 });
  });

  it("learns the user's own vectors from CSV and JSON-lines files", async () => {
    const dir = tmp();
    const rows = Array.from({ length: 500 }, (_, i) => [Math.sin(i) * 3, Math.cos(i * 1.3) + i / 500]);
    fs.writeFileSync(path.join(dir, 'points.csv'), `x,y\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'points.jsonl'), rows.map((r) => JSON.stringify({ values: r })).join('\n'));
    const results = [];
    for (const file of ['points.csv', 'points.jsonl']) {
      const config = resolveConfig('gmm', {
        generations: 3,
        samplesPerGeneration: 300,
        real: { type: 'file', path: path.join(dir, file), heldOutFraction: 0.2 },
      });
      results.push(await runExperiment(config, { out: null }));
    }
    expect(results[0].metrics[0].trainSize).toBe(300);
    // Same numbers either way: the format is only a container.
    expect(JSON.stringify(results[0].metrics)).toBe(JSON.stringify(results[1].metrics));
    expect(() => resolveConfig('gmm', { real: { type: 'file', path: path.join(dir, 'missing.csv') } })).not.toThrow();
    await expect(
      runExperiment(resolveConfig('gmm', { real: { type: 'file', path: path.join(dir, 'missing.csv') } }), {
        out: dir,
      }),
    ).rejects.toThrow(/real.path: file .*missing.csv' does not exist/);
  });

  it('rejects bad configs with the field, the value and what is allowed, before writing anything', async () => {
    const out = tmp();
    const bad = [
      [{ generations: 0 }, /generations: .*>=1.*\(got 0\)/],
      [{ policy: { type: 'mix', realFraction: 1.5 } }, /policy.realFraction: .*<=1.*\(got 1.5\)/],
      [{ family: { type: 'gmm', init: 'magic' } }, /family.init: .*"kmeans"\|"kmeans\+\+"\|"random".*\(got "magic"\)/],
      [
        { family: { type: 'categorical' } },
        /real.type: family 'categorical' cannot learn real data of type 'gaussian'/,
      ],
      [{ bogus: 1 }, /Unrecognized key.*bogus/],
    ] as const;
    for (const [override, message] of bad) {
      expect(() => resolveConfig('gmm', override as Record<string, unknown>)).toThrow(UsageError);
      expect(() => resolveConfig('gmm', override as Record<string, unknown>)).toThrow(message);
    }
    await expect(
      runExperiment(
        {
          generations: 2,
          samplesPerGeneration: 10,
          family: { type: 'gmm' },
          real: { type: 'mixture', weights: [0.5, 0.6], means: [[0], [1]], covariances: [[[1]], [[1]]] },
        },
        { out },
      ),
    ).rejects.toThrow(/real.weights: must be positive and sum to 1/);
    expect(() => resolveConfig('nope')).toThrow(/unknown preset 'nope'; choose one of: dice, categorical/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('a policy that leaves too few items', () => {
  it("is a usage error naming the family's minimum, not a crash in the fit (found by the config fuzzer)", async () => {
    // The mitigations filter keeps 2 of 3 samples; EM cannot fit 3 components to 2 points.
    const config = resolveConfig('mitigations', { samplesPerGeneration: 3, family: { type: 'gmm', components: 3 } });
    const run = runExperiment(config, { out: null, report: false });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(runExperiment(config, { out: null, report: false })).rejects.toThrow(
      /generation 1: policy 'filter' left 2 item\(s\) to train on \(EM needs a point per component, and family.components is 3\)/,
    );
  });
});

describe('resolveConfig', () => {
  it('merges overrides into a preset deeply, but a section of another type replaces it whole', () => {
    const merged = resolveConfig('gmm', { family: { components: 3 } });
    expect(merged.family).toMatchObject({ type: 'gmm', components: 3, tolerance: 1e-5, maxIterations: 2000 });
    const replaced = resolveConfig('gmm', { family: { type: 'gaussian' } });
    expect(replaced.family).toEqual({ type: 'gaussian', estimator: 'mle', slicedProjections: 8 });
    const policy = resolveConfig('mitigations', { policy: { selection: { type: 'top', fraction: 0.8 } } }).policy;
    expect(JSON.stringify(policy)).toContain('"selection":{"type":"top","fraction":0.8}');
  });
});
