import { describe, expect, it } from 'vitest';
import { decodeBundle, encodeBundle } from '../../core/bundle.js';
import { type Dataset, REAL } from '../../core/dataset.js';
import { modelStateToBundle } from '../../core/dataset-codec.js';
import { Rng } from '../../core/rng.js';
import { type SequenceSamples, sequences } from '../../core/samples.js';
import { trainingStream } from '../lm/training-stream.js';
import { Generator } from './generate.js';
import {
  contextNodes,
  estimateDiscounts,
  type KneserNeyModel,
  perplexity,
  prepareKneserNey,
  probability,
} from './kneser-ney.js';
import { createNgramFamily, fitNgram, ngramOptions } from './model.js';
import { buildTables } from './tables.js';

/** A Markov text over V words with Zipf-like, context-dependent transitions: enough structure for every order. */
function markovStream(rng: Rng, V: number, length: number): Int32Array {
  const out = new Int32Array(length);
  let prev = 0;
  let prev2 = 0;
  for (let i = 0; i < length; i++) {
    // Rank by a skewed draw, then shift by the context so that transitions differ per context.
    const rank = Math.floor(V * rng.uniform() ** 3);
    out[i] = (rank + prev * 7 + (rng.uniform() < 0.3 ? prev2 * 13 : 0)) % V;
    prev2 = prev;
    prev = out[i];
  }
  return out;
}

function nodesOf(model: KneserNeyModel, history: number[]): Int32Array {
  return contextNodes(model, history, 0, history.length, new Int32Array(Math.max(1, model.order - 1)));
}

function fullDistribution(model: KneserNeyModel, nodes: Int32Array): Float64Array {
  const p = new Float64Array(model.vocabSize);
  for (let w = 0; w < model.vocabSize; w++) p[w] = probability(model, nodes, w);
  return p;
}

describe('Kneser–Ney discounts', () => {
  it('follow Chen & Goodman from counts-of-counts', () => {
    // n1 = 3, n2 = 2, n3 = 1, n4 = 1: Y = 3/7, D1 = 1 − 2Y·2/3 = 3/7, D2 = 2 − 3Y·1/2 = 19/14, D3 = 3 − 4Y = 9/7.
    const [d1, d2, d3] = estimateDiscounts(Int32Array.of(1, 1, 1, 2, 2, 3, 4, 5));
    expect(d1).toBeCloseTo(3 / 7, 12);
    expect(d2).toBeCloseTo(19 / 14, 12);
    expect(d3).toBeCloseTo(9 / 7, 12);
  });
});

describe('interpolated Kneser–Ney', () => {
  it('matches a hand calculation on a tiny corpus', () => {
    // Train "a b a b c" (a=0 b=1 c=2, d=3 never seen), order 2, discounts 0.5 (unigram) and 0.5/1/1.5 (bigram).
    const tables = buildTables(Int32Array.of(0, 1, 0, 1, 2), Int32Array.of(5), 2, 4);
    const model = prepareKneserNey(tables, Float64Array.of(0.5, 0.5, 0.5, 0.5, 1, 1.5));
    // Continuation counts a, b, c = 1 each, S = 3, γ = 0.5: P1(a|b|c) = 0.5/3 + 0.5/4 = 7/24, P1(d) = 1/8.
    expect(Array.from(model.unigram)).toEqual([7 / 24, 7 / 24, 7 / 24, 1 / 8].map((v) => expect.closeTo(v, 14)));
    // After a: c(a b) = 2, D = 1, γ = 1/2: P(b|a) = 1/2 + 7/48 = 31/48. After b: a and c once, γ = 1/2:
    // P(c|b) = 1/4 + 7/48 = 19/48. After c nothing was seen: P(·|c) = P1. Test "a b c a d":
    const expected = [7 / 24, 31 / 48, 19 / 48, 7 / 24, 3 / 48];
    const ppl = Math.exp(-expected.reduce((s, p) => s + Math.log(p), 0) / 5);
    expect(perplexity(model, Int32Array.of(0, 1, 2, 0, 3), Int32Array.of(0, 5))).toBeCloseTo(ppl, 10);
    expect(probability(model, nodesOf(model, [0]), 0)).toBeCloseTo(7 / 48, 14);
    expect(probability(model, nodesOf(model, [1]), 1)).toBeCloseTo(7 / 48, 14);
  });

  it('sums to 1 over the vocabulary for sampled contexts, seen and unseen, at orders 1 to 4', () => {
    const rng = new Rng(11);
    const V = 300;
    const stream = markovStream(rng, V, 20_000);
    for (const order of [1, 2, 3, 4]) {
      const model = prepareKneserNey(buildTables(stream, Int32Array.of(stream.length), order, V));
      for (let trial = 0; trial < 25; trial++) {
        const at = order - 1 + rng.int(stream.length - order);
        // Half the contexts come from the data, half are random (mostly unseen at the higher orders).
        const history =
          trial % 2 === 0
            ? Array.from(stream.subarray(at - (order - 1), at))
            : Array.from({ length: rng.int(order) }, () => rng.int(V));
        const p = fullDistribution(model, nodesOf(model, history));
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
        expect(Math.min(...p)).toBeGreaterThan(0);
      }
    }
  });

  it('keeps n-grams inside segments: consecutive real blocks form one stream, other items are cut', () => {
    const tokens = Int32Array.of(0, 1, 2, 3, 4, 5);
    const data: Dataset<SequenceSamples> = {
      samples: sequences(tokens, Int32Array.of(0, 2, 4, 6), 6),
      origin: Int32Array.of(REAL, REAL, 3),
      index: Int32Array.of(0, 1, 1),
    };
    expect(Array.from(trainingStream(data).ends)).toEqual([4, 6]);
    const model = fitNgram(data, 2);
    const bigrams = model.levels[0];
    const pairs: string[] = [];
    for (let c = 0; c < 6; c++) {
      for (let j = bigrams.childStart[c]; j < bigrams.childStart[c + 1]; j++) pairs.push(`${c}${bigrams.words[j]}`);
    }
    expect(pairs).toEqual(['01', '12', '23', '45']); // no 3→4: the synthetic item starts afresh
  });
});

describe('score', () => {
  it('gives each sequence its log-likelihood, ranking held-out text above the same tokens shuffled', async () => {
    const rng = new Rng(9);
    const stream = markovStream(rng, 200, 40_000);
    const family = createNgramFamily(ngramOptions.parse({ type: 'ngram' }));
    const model = fitNgram(
      {
        samples: sequences(stream.subarray(0, 30_000), Int32Array.of(0, 30_000), 200),
        origin: Int32Array.of(REAL),
        index: Int32Array.of(0),
      },
      3,
    );
    const heldOut = stream.slice(30_000, 30_064);
    const shuffled = heldOut.slice();
    const order = rng.permutation(64);
    for (let i = 0; i < 64; i++) shuffled[i] = heldOut[order[i]];
    const tokens = new Int32Array(128);
    tokens.set(heldOut);
    tokens.set(shuffled, 64);
    const scores = await family.score!(model, sequences(tokens, Int32Array.of(0, 64, 128), 200));
    const nodes = new Int32Array(2);
    let expected = 0;
    for (let i = 0; i < 64; i++) {
      expected += Math.log(probability(model, contextNodes(model, heldOut, Math.max(0, i - 2), i, nodes), heldOut[i]));
    }
    expect(scores[0]).toBeCloseTo(expected, 9);
    expect(scores[0]).toBeGreaterThan(scores[1]);
  });
});

describe('checkpoints', () => {
  it('save and load a model through a checkpoint bundle without changing a probability', async () => {
    const rng = new Rng(4);
    const stream = markovStream(rng, 150, 10_000);
    const family = createNgramFamily(ngramOptions.parse({ type: 'ngram', order: 4 }));
    const model = fitNgram(
      {
        samples: sequences(stream, Int32Array.of(0, stream.length), 150),
        origin: Int32Array.of(REAL),
        index: Int32Array.of(0),
      },
      4,
    );
    const bundle = decodeBundle(encodeBundle(modelStateToBundle(await family.saveModel(model))));
    const loaded = await family.loadModel({ json: bundle.json, arrays: bundle.arrays as never });
    const test = stream.slice(0, 2000);
    const offsets = Int32Array.of(0, 2000);
    expect(perplexity(loaded, test, offsets)).toBe(perplexity(model, test, offsets));
    expect(Array.from(loaded.discounts)).toEqual(Array.from(model.discounts));
  });
});

describe('generation from the n-gram tables', () => {
  const rng = new Rng(5);
  const V = 120;
  const stream = markovStream(rng, V, 30_000);
  const model = prepareKneserNey(buildTables(stream, Int32Array.of(stream.length), 3, V));
  const prompt = stream.subarray(100, 164);

  it('samples ancestrally with the model probabilities (T = 1) and with P^(1/T) at other temperatures', () => {
    for (const temperature of [1, 0.5]) {
      const g = new Generator(model);
      const draws = 40_000;
      const out = new Int32Array(1);
      const counts = new Float64Array(V);
      const sampler = new Rng(temperature * 100);
      for (let i = 0; i < draws; i++) {
        g.continue(prompt, 0, prompt.length, 1, { type: 'sample', temperature, topK: 0 }, sampler, out, 0);
        counts[out[0]]++;
      }
      const p = fullDistribution(model, nodesOf(model, Array.from(prompt.subarray(62))));
      const weights = p.map((v) => v ** (1 / temperature));
      const z = weights.reduce((a, b) => a + b, 0);
      // Total variation between the empirical and the target distribution: ~sqrt(V / draws) / 2 at most.
      let tv = 0;
      for (let w = 0; w < V; w++) tv += Math.abs(counts[w] / draws - weights[w] / z) / 2;
      expect(tv).toBeLessThan(0.04);
    }
  });

  it('greedy and top-k find the true best words (checked against a scan of the vocabulary)', () => {
    const g = new Generator(model);
    const out = new Int32Array(8);
    g.continue(prompt, 0, prompt.length, 8, { type: 'greedy' }, new Rng(1), out, 0);
    const history = Array.from(prompt.subarray(62));
    for (let t = 0; t < 8; t++) {
      const p = fullDistribution(model, nodesOf(model, history.slice(-2)));
      let best = 0;
      for (let w = 1; w < V; w++) if (p[w] > p[best]) best = w;
      expect(out[t]).toBe(best);
      history.push(out[t]);
    }
    const p = fullDistribution(model, nodesOf(model, Array.from(prompt.subarray(62))));
    const top5 = Array.from(p.keys())
      .sort((a, b) => p[b] - p[a])
      .slice(0, 5);
    const sampler = new Rng(3);
    for (let i = 0; i < 200; i++) {
      g.continue(prompt, 0, prompt.length, 1, { type: 'sample', temperature: 1, topK: 5 }, sampler, out, 0);
      expect(top5).toContain(out[0]);
    }
  });

  it("beam search matches a brute-force beam search with Hugging Face's repetition penalty", () => {
    const width = 3;
    const penalty = 3;
    const length = 12;
    const g = new Generator(model);
    for (let trial = 0; trial < 5; trial++) {
      const start = 1000 + trial * 500;
      const p = stream.subarray(start, start + 16);
      const out = new Int32Array(length);
      g.continue(p, 0, p.length, length, { type: 'beam', width, repetitionPenalty: penalty }, new Rng(0), out, 0);
      // Reference: score every word of the vocabulary for every beam.
      let beams = [{ tokens: Array.from(p), score: 0 }];
      for (let t = 0; t < length; t++) {
        const proposals: { tokens: number[]; score: number }[] = [];
        for (const beam of beams) {
          const dist = fullDistribution(model, nodesOf(model, beam.tokens.slice(-2)));
          const scored = Array.from(dist, (q, w) => ({
            w,
            s: beam.tokens.includes(w) ? Math.log(q) * penalty : Math.log(q),
          }));
          scored.sort((a, b) => b.s - a.s || a.w - b.w);
          for (const { w, s } of scored.slice(0, 2 * width)) {
            proposals.push({ tokens: [...beam.tokens, w], score: beam.score + s });
          }
        }
        proposals.sort((a, b) => b.score - a.score);
        beams = proposals.slice(0, width);
      }
      expect(Array.from(out)).toEqual(beams[0].tokens.slice(p.length));
    }
  });
});
