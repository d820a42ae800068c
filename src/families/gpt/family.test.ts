import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelDataset, REAL } from '../../core/dataset.js';
import { Rng } from '../../core/rng.js';
import { sequences } from '../../core/samples.js';
import { createEngine } from '../../engine/index.js';
import { type ExperimentInput, parseExperimentConfig } from '../../experiments/config.js';
import { resumeExperiment, runExperiment } from '../../experiments/run.js';
import { writeCorpus } from '../../test-helpers/corpus.js';
import { trainingTexts } from '../lm/training-stream.js';
import { pretrainedBase } from './base.js';
import { GptNet } from './net.js';
import { meanLoss, trainNet } from './train.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// The base model's cache goes to a folder of this test's own.
process.env.COLLAPSE_LAB_CACHE = path.join(dir, 'cache');

const corpus = path.join(dir, 'corpus.txt');
writeCorpus(corpus, 500, 40, 1);

/** A tiny setting: 200 blocks of 16 words, a 1-layer GPT of width 32 (~1 s a run). */
function tiny(policy: 'replace' | 'accumulate', seed = 1): ExperimentInput {
  return {
    name: `gpt-${policy}`,
    seed,
    generations: 4,
    samplesPerGeneration: 200,
    policy: { type: policy },
    family: {
      type: 'gpt',
      ...{ dModel: 32, layers: 1, heads: 2, context: 40, continuationLength: 16 },
      ...{ epochs: 3, learningRate: 1e-3, base: { epochs: 8 } },
    },
    real: { type: 'text', path: corpus, blockSize: 16 },
  };
}

describe('training', () => {
  it('a tiny model overfits a tiny corpus to near-zero loss', async () => {
    const { engine } = createEngine('auto');
    const net = new GptNet(
      engine,
      { vocab: 14, dModel: 32, layers: 2, heads: 2, context: 16, positions: 'learned' },
      4,
    );
    // Four random sequences of 12 tokens, each after its own first token (10..13), so every next token is
    // determined by the ones before it and a model can reach zero loss.
    const rng = new Rng(7);
    const seqs = Array.from({ length: 4 }, (_, k) =>
      Int32Array.from({ length: 13 }, (_, i) => (i === 0 ? 10 + k : rng.int(10))),
    );
    const before = meanLoss(net, seqs);
    expect(before).toBeCloseTo(Math.log(14), 0);
    const settings = {
      epochs: 300,
      batchSize: 4,
      learningRate: 3e-3,
      weightDecay: 0,
      warmup: 0.02,
      minLearningRate: 0.1,
      gradientClip: 1,
    };
    const result = await trainNet(net, seqs, [], settings, new Rng(1), 'train', () => {});
    expect(meanLoss(net, seqs)).toBeLessThan(0.02);
    expect(result.trainLoss).toBeLessThan(0.05);
  });

  it('keeps the best-validation epoch: a model overfitting noise keeps an early epoch', async () => {
    const { engine } = createEngine('auto');
    const net = new GptNet(engine, { vocab: 9, dModel: 32, layers: 1, heads: 2, context: 16, positions: 'rotary' }, 5);
    const rng = new Rng(3);
    const noise = () => Int32Array.from({ length: 13 }, (_, i) => (i === 0 ? 8 : rng.int(8)));
    const train = Array.from({ length: 8 }, noise);
    const valid = Array.from({ length: 8 }, noise);
    const settings = {
      epochs: 60,
      batchSize: 4,
      learningRate: 3e-3,
      weightDecay: 0,
      warmup: 0,
      minLearningRate: 1,
      gradientClip: 0,
    };
    const result = await trainNet(net, train, valid, settings, new Rng(1), 'train', () => {});
    expect(result.bestEpoch).toBeLessThan(60);
    // The weights in place are the kept epoch's: their validation loss is the reported one.
    expect(meanLoss(net, valid)).toBeCloseTo(result.validLoss as number, 4);
  });
});

describe('the base model', () => {
  it('is pretrained once when two runs ask for it at the same time: the second waits and reads it', async () => {
    const { engine } = createEngine('auto');
    const spec = { vocab: 21, dModel: 16, layers: 1, heads: 2, context: 12, positions: 'learned' } as const;
    const rng = new Rng(11);
    const tokens = Int32Array.from({ length: 40 * 8 }, () => rng.int(20));
    const pool = labelDataset(
      sequences(
        tokens,
        Int32Array.from({ length: 41 }, (_, i) => i * 8),
        20,
      ),
      REAL,
    );
    const settings = {
      epochs: 3,
      batchSize: 8,
      learningRate: 1e-3,
      weightDecay: 0,
      warmup: 0,
      minLearningRate: 0.1,
      gradientClip: 1,
    };
    const cache = path.join(dir, 'base-cache');
    const messages: string[][] = [[], []];
    const [a, b] = await Promise.all(
      [0, 1].map((i) =>
        pretrainedBase(
          new GptNet(engine, spec, i),
          trainingTexts(pool),
          settings,
          (_, m) => m && messages[i].push(m),
          undefined,
          cache,
        ),
      ),
    );
    expect(b.key).toBe(a.key);
    expect(b.weights.map((w) => Array.from(w))).toEqual(a.weights.map((w) => Array.from(w)));
    expect(messages[0].some((m) => m.startsWith('pretrain: epoch'))).toBe(true);
    expect(messages[1].some((m) => m.startsWith('pretrain: epoch'))).toBe(false);
    expect(messages[1]).toContain('pretrain: waiting for another run pretraining the same base');
    expect(fs.readdirSync(cache)).toEqual([`${a.key.slice(0, 32)}.params`]);
  });
});

describe('the gpt family under the paper protocol', () => {
  it('replace raises test perplexity every generation; accumulate stays within a few percent', async () => {
    const ppl = async (policy: 'replace' | 'accumulate') =>
      (await runExperiment(tiny(policy), { out: null })).metrics.map((m) => m.testPerplexity as number);
    const r = await ppl('replace');
    const a = await ppl('accumulate');
    expect(a[0]).toBe(r[0]);
    for (let g = 1; g < r.length; g++) expect(r[g]).toBeGreaterThan(r[g - 1]);
    expect(r[3] / r[0]).toBeGreaterThan(1.05);
    for (const x of a) expect(Math.abs(x / a[0] - 1)).toBeLessThan(0.03);
  });

  it('measures per word: with word tokens, the perplexity per word is the perplexity per token', async () => {
    const { metrics } = await runExperiment({ ...tiny('replace'), generations: 1 }, { out: null });
    expect(metrics[0].testPerplexityPerWord as number).toBeCloseTo(metrics[0].testPerplexity as number, 6);
    expect(metrics[0].parameters).toBeGreaterThan(0);
  });

  it('resumes an interrupted run to exactly the metrics of an uninterrupted one', async () => {
    const config = { ...tiny('accumulate', 2), checkpointSeconds: 0 };
    const whole = (await runExperiment(config, { out: null })).metrics;
    const out = path.join(dir, 'runs');
    const abort = new AbortController();
    await expect(
      runExperiment(config, { out, signal: abort.signal, onGeneration: (_, g) => g === 1 && abort.abort() }),
    ).rejects.toThrow();
    const [runDir] = fs.readdirSync(out).map((name) => path.join(out, name));
    const resumed = await resumeExperiment(runDir);
    expect(resumed.summary.resumedFrom).toBe(2);
    expect(resumed.metrics).toEqual(whole);
    // One base for every run over this stream, whatever the seed or policy: pretrained once, cached by checksum.
    expect(fs.readdirSync(path.join(dir, 'cache', 'gpt-base')).filter((f) => f.endsWith('.params'))).toHaveLength(1);
  });

  it('resumes in the middle of a generation’s training, from its last epoch, to exactly the same metrics', async () => {
    const config = { ...tiny('replace', 3), generations: 2, checkpointSeconds: 0 };
    const whole = (await runExperiment(config, { out: null })).metrics;
    const out = path.join(dir, 'mid-generation');
    const abort = new AbortController();
    // Killed in generation 1's fine-tune, once its first epoch is done (and saved).
    const killAfterEpoch1 = (g: number, _stage: string, _f: number, message?: string) => {
      if (g === 1 && message?.startsWith('fine-tune: epoch 1/3, validation loss')) abort.abort();
    };
    await expect(runExperiment(config, { out, signal: abort.signal, onStage: killAfterEpoch1 })).rejects.toThrow();
    const [runDir] = fs.readdirSync(out).map((name) => path.join(out, name));
    expect(fs.readdirSync(path.join(runDir, 'checkpoints'))).toContain('fit-g1.bin');
    const messages: string[] = [];
    const resumed = await resumeExperiment(runDir, { onStage: (g, _s, _f, m) => g === 1 && m && messages.push(m) });
    expect(resumed.metrics).toEqual(whole);
    expect(messages).toContain('fine-tune: resumed after epoch 1/3');
    expect(messages.some((m) => m.startsWith('fine-tune: epoch 1/3'))).toBe(false);
    expect(fs.readdirSync(path.join(runDir, 'checkpoints')).filter((f) => f.startsWith('fit-'))).toEqual([]);
  });

  // After the resume test, which counts the cached bases: this one pretrains another (on a smaller pool).
  it("runs every init with the paper's beam search: exactly the continuation length, the same text twice", async () => {
    for (const init of ['scratch', 'previous', 'base'] as const) {
      const config = {
        ...tiny('replace'),
        generations: 2,
        samplesPerGeneration: 40,
        family: { ...tiny('replace').family, init, positions: 'rotary', decoding: { type: 'beam' } },
      };
      const once = (await runExperiment(config, { out: null })).metrics;
      expect((once[1].continuation0 as number[]).length).toBe(16);
      expect((await runExperiment(config, { out: null })).metrics).toEqual(once);
    }
  });

  it('pretrains the base on a corpus the user names, read with the run’s tokenizer', async () => {
    const other = path.join(dir, 'other-corpus.txt');
    writeCorpus(other, 300, 40, 2); // the same 40 word types in other sentences
    const named = (corpusPath: string) => ({
      ...tiny('replace'),
      generations: 1,
      family: { ...tiny('replace').family, base: { epochs: 8, corpus: corpusPath } },
    });
    const bases = () => fs.readdirSync(path.join(dir, 'cache', 'gpt-base')).filter((f) => f.endsWith('.params'));
    const before = bases().length;
    const stream = (await runExperiment({ ...tiny('replace'), generations: 1 }, { out: null })).metrics;
    const fromCorpus = (await runExperiment(named(other), { out: null })).metrics;
    expect(bases().length).toBe(before + 1); // its own base, cached beside the stream's
    expect(fromCorpus[0].testPerplexity).not.toBe(stream[0].testPerplexity);
    expect((await runExperiment(named(other), { out: null })).metrics).toEqual(fromCorpus);
    await expect(runExperiment(named(path.join(dir, 'missing.txt')), { out: null })).rejects.toThrow(
      /family\.base\.corpus: file '.*missing\.txt' does not exist/,
    );
  });

  it('refuses a bad shape before anything runs, naming the field', () => {
    const bad = (family: Record<string, unknown>) => () =>
      parseExperimentConfig({ ...tiny('replace'), family: { ...tiny('replace').family, ...family } });
    expect(bad({ dModel: 30, heads: 4 })).toThrow(/family\.heads.*multiple of heads/);
    expect(bad({ positions: 'rotary', dModel: 6, heads: 2 })).toThrow(/family\.positions.*even/);
    expect(bad({ continuationLength: 40 })).toThrow(/family\.context/);
    expect(bad({ init: 'pretrained' })).toThrow(/family\.init/);
    // Top-p is the transformer's; the n-gram sampler says it has none rather than ignore it.
    const nucleus = { decoding: { type: 'sample', topP: 0.9 } };
    expect(() =>
      parseExperimentConfig({ ...tiny('replace'), family: { ...tiny('replace').family, ...nucleus } }),
    ).not.toThrow();
    expect(() => parseExperimentConfig({ ...tiny('replace'), family: { type: 'ngram', ...nucleus } })).toThrow(
      /family\.decoding\.topP.*no top-p/,
    );
  });
});
