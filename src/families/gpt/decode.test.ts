import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { beamSearch, type DecodeSession, drawFrom, sampleSession, topIndices } from './decode.js';

/** A hand-made model: the next token's log-probabilities depend on the last token only (a bigram table). */
class BigramSession implements DecodeSession {
  readonly vocab: number;
  last: Int32Array;
  constructor(
    readonly table: number[][],
    starts: number[],
  ) {
    this.vocab = table.length;
    this.last = Int32Array.from(starts);
  }
  get rows() {
    return this.last.length;
  }
  logProbs(): Float64Array {
    const out = new Float64Array(this.rows * this.vocab);
    this.last.forEach((l, r) => {
      this.table[l].forEach((p, w) => {
        out[r * this.vocab + w] = Math.log(p);
      });
    });
    return out;
  }
  advance(tokens: Int32Array) {
    this.last = Int32Array.from(tokens);
  }
  reorder(parents: Int32Array) {
    this.last = Int32Array.from(parents, (p) => this.last[p]);
  }
}

/** Hugging Face's score of a whole continuation: summed log-probabilities, a repeated token's × penalty. */
function score(table: number[][], prompt: number[], seq: number[], penalty: number): number {
  const seen = new Set(prompt);
  let last = prompt[prompt.length - 1];
  let total = 0;
  for (const w of seq) {
    const lp = Math.log(table[last][w]);
    total += seen.has(w) ? lp * penalty : lp;
    seen.add(w);
    last = w;
  }
  return total;
}

function bruteForce(table: number[][], prompt: number[], length: number, penalty: number): number[] {
  const V = table.length;
  let best: number[] = [];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let code = 0; code < V ** length; code++) {
    const seq = Array.from({ length }, (_, i) => Math.floor(code / V ** (length - 1 - i)) % V);
    const s = score(table, prompt, seq, penalty);
    if (s > bestScore) {
      bestScore = s;
      best = seq;
    }
  }
  return best;
}

function randomTable(V: number, rng: Rng): number[][] {
  return Array.from({ length: V }, () => {
    const row = Array.from({ length: V }, () => 0.05 + rng.uniform() ** 3);
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((x) => x / sum);
  });
}

function beam(table: number[][], prompts: number[][], length: number, width: number, penalty: number): number[][] {
  const session = new BigramSession(
    table,
    prompts.flatMap((p) => Array.from({ length: width }, () => p[p.length - 1])),
  );
  const out = new Int32Array(prompts.length * length);
  beamSearch(session, prompts.length, length, { width, repetitionPenalty: penalty }, (p) => prompts[p], out);
  return prompts.map((_, p) => Array.from(out.subarray(p * length, (p + 1) * length)));
}

describe('beam search', () => {
  it('with as many beams as prefixes, returns the highest-scoring sequence (penalty 1 and 3)', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 6; trial++) {
      const table = randomTable(4, rng);
      const prompt = [trial % 4, (trial + 1) % 4];
      for (const penalty of [1, 3]) {
        const exact = bruteForce(table, prompt, 4, penalty);
        expect(beam(table, [prompt], 4, 4 ** 3, penalty)[0]).toEqual(exact);
      }
    }
  });

  it('finds what greedy misses on a hand-made model, and the penalty steers it off repeats', () => {
    // From 0: token 1 (0.5) leads to a flat row; token 2 (0.4) leads to a sure token 3. Greedy takes 1.
    const table = [
      [0.1, 0.5, 0.4, 0.0001],
      [0.25, 0.25, 0.25, 0.25],
      [0.01, 0.01, 0.01, 0.97],
      [0.6, 0.35, 0.04, 0.01],
    ].map((r) => r.map((x) => x / r.reduce((a, b) => a + b, 0)));
    expect(beam(table, [[0]], 2, 1, 1)[0]).toEqual([1, 0]); // greedy: 0.5 · 0.25
    expect(beam(table, [[0]], 2, 2, 1)[0]).toEqual([2, 3]); // 0.4 · 0.97 is better
    expect(bruteForce(table, [0], 2, 1)).toEqual([2, 3]);
    // After 3, returning to the prompt's token 0 (0.6) costs 3 × ln 0.6 under penalty 3, more than ln 0.35 for 1.
    expect(beam(table, [[0]], 3, 16, 3)[0]).toEqual(bruteForce(table, [0], 3, 3));
    expect(beam(table, [[0]], 3, 16, 1)[0]).toEqual([2, 3, 0]);
    expect(beam(table, [[0]], 3, 16, 3)[0]).toEqual([2, 3, 1]);
  });

  it('batched over prompts, gives each prompt what it gets alone', () => {
    const table = randomTable(6, new Rng(9));
    const prompts = [[0, 1], [5], [2, 2, 3], [4]];
    const together = beam(table, prompts, 5, 5, 3);
    prompts.forEach((p, i) => {
      expect(together[i]).toEqual(beam(table, [p], 5, 5, 3)[0]);
    });
  });

  it('ranks ties by the lower index', () => {
    expect(Array.from(topIndices(Float64Array.of(1, 3, 3, 2, 3), 3))).toEqual([1, 2, 4]);
  });
});

describe('sampling', () => {
  const logp = Float64Array.from([0.4, 0.3, 0.2, 0.1], Math.log);
  const frequencies = (options: { temperature: number; topK: number; topP: number }, n = 40_000) => {
    const rng = new Rng(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[drawFrom(logp, options, rng)]++;
    return counts.map((c) => c / n);
  };
  const close = (got: number[], want: number[]) =>
    got.forEach((g, i) => {
      expect(g).toBeCloseTo(want[i], 2);
    });

  it('draws from the model at temperature 1, and from p^(1/T) otherwise', () => {
    close(frequencies({ temperature: 1, topK: 0, topP: 1 }), [0.4, 0.3, 0.2, 0.1]);
    const sharp = [0.16, 0.09, 0.04, 0.01];
    close(
      frequencies({ temperature: 0.5, topK: 0, topP: 1 }),
      sharp.map((x) => x / 0.3),
    );
  });

  it('keeps the top k, and the smallest set holding top-p of the mass', () => {
    close(frequencies({ temperature: 1, topK: 2, topP: 1 }), [4 / 7, 3 / 7, 0, 0]);
    // 0.4 + 0.3 = 0.7 < 0.75: the nucleus needs the third token.
    close(frequencies({ temperature: 1, topK: 0, topP: 0.75 }), [4 / 9, 3 / 9, 2 / 9, 0]);
    close(frequencies({ temperature: 1, topK: 0, topP: 0.3 }), [1, 0, 0, 0]);
  });

  it('greedy decoding follows the argmax chain', () => {
    const table = [
      [0.1, 0.6, 0.3],
      [0.2, 0.1, 0.7],
      [0.5, 0.4, 0.1],
    ];
    const session = new BigramSession(table, [0, 2]);
    const out = new Int32Array(8);
    sampleSession(session, 4, 'greedy', new Rng(1), out);
    expect(Array.from(out)).toEqual([1, 2, 0, 1, 0, 1, 2, 0]);
  });
});
