/**
 * Interpolated modified Kneser–Ney (Chen & Goodman 1998) over the tables of tables.ts:
 *
 *   P_n(w | h) = max(c(h w) − D_n(c), 0) / S(h) + γ(h) · P_{n−1}(w | h'),   γ(h) = Σ_k D_n(k) N_k(h) / S(h)
 *
 * with three discounts per order (counts 1, 2, 3+) estimated from counts-of-counts, and the unigram level
 * interpolated with the uniform distribution over the vocabulary, so every word has probability > 0. A context
 * never seen at order n passes P_{n−1} through unchanged. Each level's probabilities sum to exactly 1.
 */
import { findChild, type Level, type NgramTables } from './tables.js';

export interface KneserNeyModel extends NgramTables {
  /** discounts[3(n−1) + k]: order n's discount for count k+1 (k = 2 means 3 or more). */
  readonly discounts: Float64Array;
  /** Per level (index n − 2): S and γ of every context (an (n−1)-gram). */
  readonly contextTotal: readonly Float64Array[];
  readonly contextGamma: readonly Float64Array[];
  /** Per level: cumulative discounted counts within each context's range, for ancestral sampling. */
  readonly cumulative: readonly Float64Array[];
  readonly rootTotal: number;
  readonly rootGamma: number;
  /** The full unigram distribution P_1 (uniform mixed in) and its cumulative discounted counts. */
  readonly unigram: Float64Array;
  readonly unigramCumulative: Float64Array;
  /** Words by decreasing P_1: the order every lower-order tail follows. */
  readonly unigramRanking: Int32Array;
}

/**
 * Modified-KN discounts from counts-of-counts n1..n4: Y = n1/(n1 + 2 n2), D_k = k − (k+1) Y n_{k+1}/n_k. Tiny
 * corpora make the estimate degenerate (some n_k = 0), so each D_k falls back to Y·k and is kept in [0, k].
 */
export function estimateDiscounts(counts: Int32Array): [number, number, number] {
  const n = [0, 0, 0, 0, 0];
  for (let i = 0; i < counts.length; i++) if (counts[i] >= 1 && counts[i] <= 4) n[counts[i]]++;
  const y = n[1] > 0 ? n[1] / (n[1] + 2 * n[2]) : 0.5;
  const d = [1, 2, 3].map((k) => {
    const v = n[k] > 0 ? k - ((k + 1) * y * n[k + 1]) / n[k] : y * k;
    return Number.isFinite(v) ? Math.min(Math.max(v, 0), k) : y * k;
  });
  return [d[0], d[1], d[2]];
}

export function discountOf(discounts: Float64Array, n: number, count: number): number {
  if (count <= 0) return 0;
  return discounts[3 * (n - 1) + (count >= 3 ? 2 : count - 1)];
}

/** Adds discounts and the derived arrays; `discounts` may be given (a saved model), else they are estimated. */
export function prepareKneserNey(tables: NgramTables, discounts?: Float64Array): KneserNeyModel {
  const { order, vocabSize: V } = tables;
  const d = discounts ?? new Float64Array(3 * order);
  if (!discounts) {
    d.set(estimateDiscounts(tables.unigramCounts), 0);
    tables.levels.forEach((level, i) => {
      d.set(estimateDiscounts(level.counts), 3 * (i + 1));
    });
  }
  const contextTotal: Float64Array[] = [];
  const contextGamma: Float64Array[] = [];
  const cumulative: Float64Array[] = [];
  tables.levels.forEach((level, i) => {
    const n = i + 2;
    const contexts = level.childStart.length - 1;
    const total = new Float64Array(contexts);
    const gamma = new Float64Array(contexts);
    const cum = new Float64Array(level.words.length);
    for (let c = 0; c < contexts; c++) {
      let s = 0;
      let removed = 0;
      let acc = 0;
      for (let j = level.childStart[c]; j < level.childStart[c + 1]; j++) {
        const count = level.counts[j];
        const disc = discountOf(d, n, count);
        s += count;
        removed += disc;
        acc += count - disc;
        cum[j] = acc;
      }
      total[c] = s;
      gamma[c] = s > 0 ? removed / s : 1;
    }
    contextTotal.push(total);
    contextGamma.push(gamma);
    cumulative.push(cum);
  });

  let rootTotal = 0;
  let removed = 0;
  const unigramCumulative = new Float64Array(V);
  for (let w = 0; w < V; w++) {
    const count = tables.unigramCounts[w];
    const disc = discountOf(d, 1, count);
    rootTotal += count;
    removed += disc;
    unigramCumulative[w] = rootTotal - removed;
  }
  const rootGamma = rootTotal > 0 ? removed / rootTotal : 1;
  const unigram = new Float64Array(V);
  for (let w = 0; w < V; w++) {
    const count = tables.unigramCounts[w];
    const direct = rootTotal > 0 ? (count - discountOf(d, 1, count)) / rootTotal : 0;
    unigram[w] = direct + rootGamma / V;
  }
  const unigramRanking = new Int32Array(V);
  for (let w = 0; w < V; w++) unigramRanking[w] = w;
  unigramRanking.sort((a, b) => unigram[b] - unigram[a] || a - b);
  return {
    ...tables,
    discounts: d,
    contextTotal,
    contextGamma,
    cumulative,
    rootTotal,
    rootGamma,
    unigram,
    unigramCumulative,
    unigramRanking,
  };
}

/**
 * The context nodes of a history: out[n − 2] is the level-(n−1) node of the last n − 1 words (−1 if unseen), for
 * n = 2..order. `history` is read from `from` (inclusive) to `to` (exclusive).
 */
export function contextNodes(
  model: KneserNeyModel,
  history: ArrayLike<number>,
  from: number,
  to: number,
  out: Int32Array,
): Int32Array {
  for (let n = 2; n <= model.order; n++) {
    const length = n - 1;
    if (to - from < length) {
      out[n - 2] = -1;
      continue;
    }
    let node = history[to - length];
    for (let k = 1; k < length && node >= 0; k++) node = findChild(model.levels[k - 1], node, history[to - length + k]);
    out[n - 2] = node;
  }
  return out;
}

/** P(word | context nodes). */
export function probability(model: KneserNeyModel, nodes: Int32Array, word: number): number {
  let p = model.unigram[word];
  for (let n = 2; n <= model.order; n++) {
    const c = nodes[n - 2];
    if (c < 0) continue;
    const total = model.contextTotal[n - 2][c];
    if (total === 0) continue;
    const level: Level = model.levels[n - 2];
    const child = findChild(level, c, word);
    const count = child >= 0 ? level.counts[child] : 0;
    p = (count - discountOf(model.discounts, n, count)) / total + model.contextGamma[n - 2][c] * p;
  }
  return p;
}

/**
 * Sum of natural-log probabilities of tokens[from..to), each given the tokens before it back to `start` (the
 * sequence's own beginning: contexts never reach before it).
 */
export function logLikelihood(
  model: KneserNeyModel,
  tokens: Int32Array,
  start: number,
  from: number,
  to: number,
): number {
  const nodes = new Int32Array(Math.max(1, model.order - 1));
  let sum = 0;
  for (let i = from; i < to; i++) {
    contextNodes(model, tokens, Math.max(start, i - model.order + 1), i, nodes);
    sum += Math.log(probability(model, nodes, tokens[i]));
  }
  return sum;
}

/** Perplexity over every token of every sequence (contexts restart at each sequence). */
export function perplexity(model: KneserNeyModel, tokens: Int32Array, offsets: Int32Array): number {
  let sum = 0;
  let count = 0;
  for (let s = 0; s + 1 < offsets.length; s++) {
    sum += logLikelihood(model, tokens, offsets[s], offsets[s], offsets[s + 1]);
    count += offsets[s + 1] - offsets[s];
  }
  return Math.exp(-sum / count);
}
