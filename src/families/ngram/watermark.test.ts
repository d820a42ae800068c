import { describe, expect, it } from 'vitest';
import { labelDataset, REAL } from '../../core/dataset.js';
import { Rng } from '../../core/rng.js';
import { type SequenceSamples, sequences } from '../../core/samples.js';
import { detect, detectSequences } from '../../watermark/detector.js';
import { GreenList } from '../../watermark/green-list.js';
import { watermarkedItems } from '../../watermark/share.js';
import type { Decoding } from './generate.js';
import { Generator } from './generate.js';
import { contextNodes, type KneserNeyModel, prepareKneserNey, probability } from './kneser-ney.js';
import { createNgramFamily, ngramOptions } from './model.js';
import { buildTables } from './tables.js';

/** A Markov text over V words with skewed, context-dependent transitions. */
function markovStream(rng: Rng, V: number, length: number): Int32Array {
  const out = new Int32Array(length);
  let prev = 0;
  for (let i = 0; i < length; i++) {
    out[i] = (Math.floor(V * rng.uniform() ** 3) + prev * 7) % V;
    prev = out[i];
  }
  return out;
}

function fitModel(stream: Int32Array, order: number, V: number): KneserNeyModel {
  return prepareKneserNey(buildTables(stream, Int32Array.of(stream.length), order, V));
}

/** P(· | the prompt's last tokens), by a scan of the vocabulary (the reference the sampler never uses). */
function distribution(model: KneserNeyModel, prompt: Int32Array): Float64Array {
  const nodes = contextNodes(
    model,
    prompt,
    Math.max(0, prompt.length - model.order + 1),
    prompt.length,
    new Int32Array(4),
  );
  return Float64Array.from({ length: model.vocabSize }, (_, w) => probability(model, nodes, w));
}

/** The watermarked target: (P(w) · e^(δ·green(w)))^(1/T), normalised. */
function biased(p: Float64Array, list: GreenList, prompt: Int32Array, temperature = 1): Float64Array {
  const seed = list.seed(prompt, prompt.length);
  const boost = Math.exp(list.options.delta);
  const q = p.map((v, w) => (v * (list.isGreen(seed, w) ? boost : 1)) ** (1 / temperature));
  const total = q.reduce((a, b) => a + b, 0);
  return q.map((v) => v / total);
}

/** Draws one next token `n` times. */
function draw(
  model: KneserNeyModel,
  prompt: Int32Array,
  decoding: Decoding,
  n: number,
  seed: number,
  list?: GreenList,
) {
  const g = new Generator(model);
  const counts = new Float64Array(model.vocabSize);
  const out = new Int32Array(1);
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    g.continue(prompt, 0, prompt.length, 1, decoding, rng, out, 0, list);
    counts[out[0]]++;
  }
  return counts;
}

/**
 * Pearson's X² of `counts` against `q`, cells with an expected count below 5 pooled; under the null it has mean
 * df and standard deviation √(2 df).
 */
function chiSquare(counts: Float64Array, q: Float64Array): { x2: number; df: number } {
  const n = counts.reduce((a, b) => a + b, 0);
  let x2 = 0;
  let cells = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  for (let w = 0; w < q.length; w++) {
    const e = n * q[w];
    if (e < 5) {
      pooledObserved += counts[w];
      pooledExpected += e;
      continue;
    }
    x2 += (counts[w] - e) ** 2 / e;
    cells++;
  }
  if (pooledExpected > 0) {
    x2 += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    cells++;
  }
  return { x2, df: cells - 1 };
}

/** X² within 6 standard deviations of its mean under the null. */
const accepts = ({ x2, df }: { x2: number; df: number }) => x2 < df + 6 * Math.sqrt(2 * df);

describe('watermarked sampling from the n-gram tables', () => {
  const V = 120;
  const stream = markovStream(new Rng(5), V, 30_000);
  const trigram = fitModel(stream, 3, V);
  const prompt = stream.subarray(100, 164);
  const N = 60_000;

  it('ancestral sampling (T = 1) draws exactly from P · e^(δ·green), by a chi-square test that plain sampling fails', () => {
    const list = new GreenList();
    const q = biased(distribution(trigram, prompt), list, prompt);
    const decoding: Decoding = { type: 'sample', temperature: 1, topK: 0 };
    const marked = chiSquare(draw(trigram, prompt, decoding, N, 1, list), q);
    expect(accepts(marked)).toBe(true);
    // The same test rejects the unbiased sampler: it has the power to fail.
    const plain = chiSquare(draw(trigram, prompt, decoding, N, 2), q);
    expect(plain.x2).toBeGreaterThan(10 * (plain.df + 6 * Math.sqrt(2 * plain.df)));
  });

  it('at T = 0.7, with a green list wider than the model context (bigram, width 3), draws from (P · e^(δ·green))^(1/T)', () => {
    const bigram = fitModel(stream, 2, V);
    const list = new GreenList({ contextWidth: 3, delta: 1.5, key: 99 });
    expect(list.seed(prompt, prompt.length)).not.toBe(list.seed(Int32Array.of(7, ...prompt.subarray(62)), 3));
    const q = biased(distribution(bigram, prompt), list, prompt, 0.7);
    const counts = draw(bigram, prompt, { type: 'sample', temperature: 0.7, topK: 0 }, N, 3, list);
    expect(accepts(chiSquare(counts, q))).toBe(true);
  });

  it('top-k keeps the k best biased scores and weighs them by P · e^(δ·green); greedy takes the biased argmax', () => {
    const list = new GreenList({ delta: 3 });
    const q = biased(distribution(trigram, prompt), list, prompt);
    const top5 = Array.from(q.keys())
      .sort((a, b) => q[b] - q[a])
      .slice(0, 5);
    const restricted = q.map((v, w) => (top5.includes(w) ? v : 0));
    const total = restricted.reduce((a, b) => a + b, 0);
    const counts = draw(trigram, prompt, { type: 'sample', temperature: 1, topK: 5 }, 20_000, 4, list);
    expect(
      accepts(
        chiSquare(
          counts,
          restricted.map((v) => v / total),
        ),
      ),
    ).toBe(true);
    // The biased top 5 is not the plain top 5 here, so this checks the threshold algorithm's boosted bound too.
    const p = distribution(trigram, prompt);
    const plainTop5 = Array.from(p.keys())
      .sort((a, b) => p[b] - p[a])
      .slice(0, 5);
    expect(top5.some((w) => !plainTop5.includes(w))).toBe(true);

    const g = new Generator(trigram);
    const out = new Int32Array(8);
    g.continue(prompt, 0, prompt.length, 8, { type: 'greedy' }, new Rng(1), out, 0, list);
    const history = Array.from(prompt);
    for (let t = 0; t < 8; t++) {
      const h = Int32Array.from(history);
      const scores = biased(distribution(trigram, h), list, h);
      let best = 0;
      for (let w = 1; w < V; w++) if (scores[w] > scores[best]) best = w;
      expect(out[t]).toBe(best);
      history.push(out[t]);
    }
    expect(() =>
      g.continue(prompt, 0, 64, 2, { type: 'beam', width: 2, repetitionPenalty: 1 }, new Rng(1), out, 0, list),
    ).toThrow(/not beam/);
  });

  it('watermarked continuations of 200 tokens score z > 4; plain ones stay near 0', () => {
    const big = 1000;
    const text = markovStream(new Rng(7), big, 60_000);
    const model = fitModel(text, 3, big);
    const list = new GreenList();
    const g = new Generator(model);
    const rng = new Rng(8);
    const z = (watermark?: GreenList) =>
      Array.from({ length: 60 }, (_, i) => {
        const out = new Int32Array(200);
        g.continue(text, i * 64, i * 64 + 64, 200, { type: 'sample', temperature: 1, topK: 0 }, rng, out, 0, watermark);
        return detect(list, out).z;
      });
    const marked = z(list);
    const plain = z();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.min(...marked)).toBeGreaterThan(4);
    expect(mean(marked)).toBeGreaterThan(8);
    expect(Math.max(...plain)).toBeLessThan(4);
    // Plain text's z has mean 0 and unit variance over keys; one key's repeated bigrams add a little spread.
    expect(Math.abs(mean(plain))).toBeLessThan(0.6);
  });
});

describe('the ngram family with a watermark', () => {
  it('watermarks exactly watermarkShare of the items, the same ones on every call, and rejects beam', async () => {
    const V = 1000;
    const text = markovStream(new Rng(11), V, 40_000);
    const blocks = 200;
    const offsets = Int32Array.from({ length: blocks + 1 }, (_, i) => i * 64);
    const pool = labelDataset(sequences(text.slice(0, blocks * 64), offsets, V), REAL);
    const real = { pool, heldOut: pool.samples, description: 'test' };
    const options = ngramOptions.parse({
      type: 'ngram',
      continuationLength: 200,
      watermark: {},
      watermarkShare: 0.5,
    });
    expect(options.watermark).toEqual({ key: 15485863, gamma: 0.25, delta: 2, contextWidth: 1 });
    const family = createNgramFamily(options);
    const model = await family.fit(pool, { generation: 0, rng: new Rng(1), previous: undefined, progress: () => {} });
    const sample = (seed: number) =>
      family.sample(model, 300, { generation: 2, rng: new Rng(seed), real, progress: () => {} });
    const made: SequenceSamples = await sample(1);
    const z = detectSequences(new GreenList(), made);
    const marked = watermarkedItems(15485863, 2, 300, 0.5);
    expect(marked.reduce((a, b) => a + b, 0)).toBe(150);
    for (let i = 0; i < 300; i++) expect(z[i] >= 4).toBe(marked[i] === 1);
    expect(Array.from((await sample(1)).tokens)).toEqual(Array.from(made.tokens));
    // Another generation watermarks other items.
    expect(Array.from(watermarkedItems(15485863, 3, 300, 0.5))).not.toEqual(Array.from(marked));
    expect(() => ngramOptions.parse({ type: 'ngram', decoding: { type: 'beam' }, watermark: {} })).toThrow(/not beam/);
    expect(() => ngramOptions.parse({ type: 'ngram', watermarkShare: 0.5 })).toThrow(/needs a watermark/);
  });
});
