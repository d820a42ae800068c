/**
 * Refactors must not move a single number: each case runs a preset (shortened) and compares every metrics line,
 * as JSON text, with the lines recorded before the refactor that opened the family registry (golden/*.jsonl).
 * A deliberate change of numbers re-records them with `npx vitest run src/experiments/golden.test.ts -u` and says
 * why in its commit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../test-helpers/corpus.js';
import { resolveConfig, runExperiment } from './run.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const corpus = path.join(dir, 'corpus.txt');
writeCorpus(corpus, 1600, 500, 7);
const points = path.join(dir, 'points.csv');
fs.writeFileSync(
  points,
  `x,y\n${Array.from({ length: 400 }, (_, i) => `${Math.sin(i * 1.7) * 2},${Math.cos(i * 0.37) + (i % 7) / 3}`).join('\n')}\n`,
);
const text = { type: 'text', path: corpus };

const CASES: [string, string, Record<string, unknown>][] = [
  ['dice-replace', 'dice', { generations: 60 }],
  ['dice-mix', 'dice', { generations: 40, policy: { type: 'mix', realFraction: 0.3 }, seed: 4 }],
  ['categorical-subsample', 'categorical', { generations: 12, policy: { type: 'accumulate-subsample' } }],
  ['gaussian-accumulate', 'gaussian', { generations: 100, policy: { type: 'accumulate' }, seed: 2 }],
  ['gmm-replace', 'gmm', { generations: 40, snapshotGenerations: [0, 39] }],
  ['gmm-two-mix', 'gmm-two', { generations: 25, policy: { type: 'mix', realFraction: 0.1 } }],
  // The first controller, as recorded; the preset's default controller (spread) has its own case.
  ['mitigations-feedback', 'mitigations', { generations: 60, policy: { feedback: { controller: 'pi-v1' } } }],
  ['mitigations-spread', 'mitigations', { generations: 60 }],
  ['mitigations-web', 'mitigations', { generations: 40, policy: { type: 'web', snapshot: false } }],
  [
    'mitigations-importance',
    'gaussian',
    {
      generations: 40,
      realSize: 1000,
      policy: { type: 'filter', verifier: 'held-out', selection: { type: 'importance' } },
    },
  ],
  [
    'file-gmm',
    'gmm',
    { generations: 15, samplesPerGeneration: 200, real: { type: 'file', path: points }, family: { components: 3 } },
  ],
  ['ngram-replace', 'ngram-quick', { generations: 3, samplesPerGeneration: 250, real: text }],
  [
    'ngram-isolate',
    'ngram-quick',
    {
      generations: 3,
      samplesPerGeneration: 250,
      real: text,
      family: { watermark: {}, watermarkShare: 0.5 },
      policy: { type: 'isolate', source: { type: 'accumulate' } },
    },
  ],
  [
    'ngram-beam',
    'ngram-beam',
    { generations: 2, samplesPerGeneration: 60, real: text, family: { continuationLength: 16 } },
  ],
];

describe('every preset gives the numbers it gave before the registry refactor', () => {
  for (const [name, preset, overrides] of CASES) {
    it(name, async () => {
      const { metrics } = await runExperiment(resolveConfig(preset, overrides), { out: null });
      const lines = metrics.map((m) => JSON.stringify(m)).join('\n');
      await expect(`${lines}\n`).toMatchFileSnapshot(`./golden/${name}.jsonl`);
    });
  }
});
