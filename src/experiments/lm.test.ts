import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { buildWikiTextRealData, wikiTextRealSchema } from '../data/text-real.js';
import { writeCorpus } from '../test-helpers/corpus.js';
import { type ExperimentInput, parseExperimentConfig } from './config.js';
import { resumeExperiment, runExperiment } from './run.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const corpus = path.join(dir, 'corpus.txt');
writeCorpus(corpus, 2600, 800, 1);

function lmConfig(policy: 'replace' | 'accumulate' | 'mix'): ExperimentInput {
  return {
    name: `lm-${policy}`,
    seed: 3,
    generations: 5,
    // 2,340 training lines × 13 tokens = 30,420 tokens: 475 blocks of 64.
    samplesPerGeneration: 475,
    policy: { type: policy },
    family: { type: 'ngram', order: 3 },
    real: { type: 'text', path: corpus },
  };
}

describe('the language-model protocol', () => {
  it('pairs text families with text data only, and says what fits', () => {
    expect(() => parseExperimentConfig({ ...lmConfig('replace'), real: { type: 'gaussian' } })).toThrow(
      /family 'ngram' cannot learn real data of type 'gaussian'; use 'wikitext' or 'text'/,
    );
    expect(() =>
      parseExperimentConfig({ ...lmConfig('replace'), family: { type: 'gmm' }, real: { type: 'wikitext' } }),
    ).toThrow(
      // Every family that learns sequences is named ('ngram', then 'external' and any registered since).
      /family 'gmm' cannot learn real data of type 'wikitext'; use 'gaussian', 'mixture' or 'file' \('wikitext' makes sequences, for family 'ngram'[^)]*\)/,
    );
    const parsed = parseExperimentConfig({
      ...lmConfig('replace'),
      family: { type: 'ngram', decoding: { type: 'beam' } },
    });
    expect(parsed.family).toMatchObject({ order: 3, decoding: { type: 'beam', width: 5, repetitionPenalty: 3 } });
  });

  it('refuses a pool larger than the real stream, naming the sizes', async () => {
    await expect(
      runExperiment({ ...lmConfig('replace'), samplesPerGeneration: 10_000 }, { out: null }),
    ).rejects.toThrow(UsageError);
  });

  it('replace: test perplexity rises generation after generation; accumulate rises less', async () => {
    const replace = (await runExperiment(lmConfig('replace'), { out: null })).metrics;
    const accumulate = (await runExperiment(lmConfig('accumulate'), { out: null })).metrics;
    const ppl = (m: typeof replace) => m.map((line) => line.testPerplexity as number);
    const r = ppl(replace);
    const a = ppl(accumulate);
    expect(r[0]).toBe(a[0]); // generation 0 trains on the same real data
    for (let g = 1; g < r.length; g++) expect(r[g]).toBeGreaterThan(r[g - 1]);
    expect(a[4] - a[0]).toBeLessThan(r[4] - r[0]);
    // Every synthetic set continues every real block: the real set's size, 64 tokens an item.
    expect(replace[1].trainSize).toBe(475);
    const line = replace[4];
    for (const key of ['vocabularyTypes', 'rareTypesProduced', 'distinct1', 'distinct2', 'distinct3']) {
      expect(typeof line[key]).toBe('number');
    }
    expect((line.continuation0 as number[]).length).toBe(64);
    expect((line.syntheticPerplexityHistogram as number[]).reduce((s, c) => s + c, 0)).toBe(475);
  });

  it('is deterministic: the same config and seed give identical metrics', async () => {
    const once = (await runExperiment(lmConfig('mix'), { out: null })).metrics;
    const twice = (await runExperiment(lmConfig('mix'), { out: null })).metrics;
    expect(twice).toEqual(once);
  });

  it('resumes an interrupted run to exactly the metrics of an uninterrupted one, and saves text for people', async () => {
    const config = { ...lmConfig('accumulate'), checkpointSeconds: 0 };
    const whole = (await runExperiment(config, { out: null })).metrics;
    const out = path.join(dir, 'runs');
    const abort = new AbortController();
    await expect(
      runExperiment(config, { out, signal: abort.signal, onGeneration: (_, g) => g === 2 && abort.abort() }),
    ).rejects.toThrow();
    const [runDir] = fs.readdirSync(out).map((name) => path.join(out, name));
    const resumed = await resumeExperiment(runDir);
    expect(resumed.summary.resumedFrom).toBe(3);
    expect(resumed.metrics).toEqual(whole);
    const snapshot = JSON.parse(fs.readFileSync(path.join(runDir, 'samples', 'generation-0.json'), 'utf8'));
    expect(snapshot.model.tokenizer.type).toBe('word');
    expect(snapshot.model.continuations[0].continuation).toMatch(/w\d+/);
  });

  it('reads the raw release with a byte-level BPE tokenizer: blocks decode back to the text', () => {
    const raw = path.join(dir, 'raw-data', 'wikitext-2-raw');
    fs.mkdirSync(raw, { recursive: true });
    const text = ' = Café Ölmühle = \n The mill grinds 1,000 kg of grain a day — 日本語 too . \n'.repeat(40);
    for (const split of ['train', 'valid', 'test']) fs.writeFileSync(path.join(raw, `wiki.${split}.raw`), text);
    const config = wikiTextRealSchema.parse({
      type: 'wikitext',
      variant: 'raw',
      dataDir: path.dirname(raw),
      blockSize: 16,
      tokenizer: { type: 'bpe', vocabSize: 300 },
    });
    const real = buildWikiTextRealData(config, 10);
    const pool = real.pool.samples;
    expect(pool.vocabSize).toBe(300);
    expect(pool.offsets.length).toBe(11);
    expect(text.startsWith(real.text?.decode(pool.tokens) ?? '')).toBe(true);
    expect(real.text?.decode(real.heldOut.tokens)).toBe(text);
  });
});
