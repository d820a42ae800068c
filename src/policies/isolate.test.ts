import { describe, expect, it } from 'vitest';
import { type Dataset, labelDataset, REAL } from '../core/dataset.js';
import type { PolicyContext } from '../core/policy.js';
import { deriveRng } from '../core/rng.js';
import { type SequenceSamples, sequences } from '../core/samples.js';
import { parseExperimentConfig } from '../experiments/config.js';
import { detect } from '../watermark/detector.js';
import { GreenList } from '../watermark/green-list.js';
import { watermarkedItems } from '../watermark/share.js';
import { isolatePolicy } from './isolate.js';
import { replacePolicy } from './replace.js';

const V = 500;
const LENGTH = 40;
const list = new GreenList();

/** A sequence whose every scored token is green (or every one red): its z-score is known in advance. */
function forced(first: number, green: boolean): Int32Array {
  const tokens = new Int32Array(LENGTH);
  tokens[0] = first % V;
  for (let i = 1; i < LENGTH; i++) {
    const seed = list.seed(tokens, i);
    let v = (first * 7 + i * 13) % V;
    while (list.isGreen(seed, v) !== green) v = (v + 1) % V;
    tokens[i] = v;
  }
  return tokens;
}

function set(origin: number, greens: readonly boolean[]): Dataset<SequenceSamples> {
  const tokens = new Int32Array(greens.length * LENGTH);
  greens.forEach((green, i) => {
    tokens.set(forced(origin * 100 + i + 1000, green), i * LENGTH);
  });
  const offsets = Int32Array.from({ length: greens.length + 1 }, (_, i) => i * LENGTH);
  return labelDataset(sequences(tokens, offsets, V), origin);
}

const M = 8;
const SHARE = 0.5;
/**
 * Generation h's set: its watermarked items (as watermarkedItems says) are all green except the first, which a
 * weak watermark left undetectable; its plain items are all red except the first, which happens to read green.
 */
function generationSet(h: number): { data: Dataset<SequenceSamples>; marked: Uint8Array } {
  const marked = watermarkedItems(list.options.key, h, M, SHARE);
  const firstMarked = marked.indexOf(1);
  const firstPlain = marked.indexOf(0);
  const greens = Array.from(marked, (m, i) => (m ? i !== firstMarked : i === firstPlain));
  return { data: set(h, greens), marked };
}

describe('isolate policy', () => {
  const real = set(
    REAL,
    Array.from({ length: 10 }, (_, i) => i === 3),
  );
  const generations = [generationSet(0), generationSet(1)];
  const ctx: PolicyContext<SequenceSamples> = {
    generation: 2,
    real,
    synthetic: generations.map((g) => g.data),
    history: [],
    samplesPerGeneration: M,
    rng: deriveRng(1, 2, 'policy'),
  };

  it('drops exactly the items with z ≥ 4 and counts precision and recall against provenance', async () => {
    expect(detect(list, forced(1, true)).z).toBeGreaterThan(4);
    expect(detect(list, forced(1, false)).z).toBeLessThan(0);
    const policy = isolatePolicy({ watermark: { watermarkShare: SHARE } });
    expect(policy.retains).toBe('all');
    const { train, metrics } = await policy.build(ctx);
    // By construction: 10 real (1 reads green), 16 synthetic, 8 watermarked; each generation has 3 detected
    // watermarked items, 1 missed, and 1 plain item that reads green.
    expect(metrics).toEqual({
      isolateCandidates: 26,
      isolateDropped: 9,
      isolateDroppedReal: 1,
      isolateKeptReal: 9,
      isolateKeptSynthetic: 8,
      isolateKeptWatermarked: 2,
      isolatePrecisionSynthetic: 8 / 9,
      isolateRecallSynthetic: 8 / 16,
      isolatePrecisionWatermarked: 6 / 9,
      isolateRecallWatermarked: 6 / 8,
    });
    // What survives is exactly the red items, with their provenance.
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) if (i !== 3) expected.push(`${REAL}:${i}`);
    generations.forEach(({ marked }, h) => {
      const firstMarked = marked.indexOf(1);
      const firstPlain = marked.indexOf(0);
      for (let i = 0; i < M; i++) if (marked[i] ? i === firstMarked : i !== firstPlain) expected.push(`${h}:${i}`);
    });
    expect(Array.from(train.origin, (o, i) => `${o}:${train.index[i]}`)).toEqual(expected);
  });

  it('wraps any source; a higher threshold drops less; nothing to divide by gives null', async () => {
    const replace = isolatePolicy({ watermark: { watermarkShare: SHARE }, source: replacePolicy() });
    expect(replace.retains).toBe('latest');
    const { metrics } = await replace.build(ctx);
    expect(metrics).toMatchObject({ isolateCandidates: 8, isolateDropped: 4, isolateKeptReal: 0 });
    const lax = await isolatePolicy({ watermark: { watermarkShare: SHARE }, threshold: 1e9 }).build(ctx);
    expect(lax.metrics).toMatchObject({
      isolateDropped: 0,
      isolatePrecisionSynthetic: null,
      isolateRecallSynthetic: 0,
    });
    const noneMarked = await isolatePolicy({ watermark: { watermarkShare: 0 } }).build(ctx);
    expect(noneMarked.metrics).toMatchObject({ isolateRecallWatermarked: null, isolatePrecisionWatermarked: 0 });
    expect(() => isolatePolicy({} as never)).toThrow(/set family.watermark/);
  });

  it("configs: isolate takes the family's watermark, or says it needs one", () => {
    const base = {
      generations: 2,
      samplesPerGeneration: 10,
      real: { type: 'text', path: 'corpus.txt' },
      policy: { type: 'isolate' },
    };
    const config = parseExperimentConfig({
      ...base,
      family: { type: 'ngram', watermark: { key: 7, delta: 3 }, watermarkShare: 0.5 },
    });
    expect(config.policy).toEqual({
      type: 'isolate',
      threshold: 4,
      watermark: { key: 7, gamma: 0.25, delta: 3, contextWidth: 1, watermarkShare: 0.5 },
    });
    // Parsing the resolved config again (a resume) keeps it.
    expect(parseExperimentConfig(config).policy).toEqual(config.policy);
    expect(() => parseExperimentConfig({ ...base, family: { type: 'ngram' } })).toThrow(
      /policy\.type: policy 'isolate' detects the family's watermark: set family.watermark/,
    );
  });
});
