/**
 * Continuing a prompt with a Kneser–Ney model, with candidates always taken from the n-gram tables, never from
 * a scan of the vocabulary:
 *
 * - ancestral sampling at temperature 1 walks the interpolation itself: with probability 1 − γ it draws from the
 *   longest context's discounted counts, else it backs off one order (exact, O(order · log) per token);
 * - top-k, greedy and beam search rank words by a threshold algorithm over per-order lists sorted by count: a
 *   word outside every list has probability Γ · P_1(w), so the unigram ranking bounds the rest;
 * - other temperatures weigh the words seen after the context exactly and the rest through the unigram tail.
 */
import type { Rng } from '../../core/rng.js';
import { contextNodes, discountOf, type KneserNeyModel, probability } from './kneser-ney.js';

export type Decoding =
  | { readonly type: 'sample'; readonly temperature: number; readonly topK: number }
  | { readonly type: 'greedy' }
  | { readonly type: 'beam'; readonly width: number; readonly repetitionPenalty: number };

/** Scratch space and caches for one model: reuse across many prompts. */
export class Generator {
  private readonly nodes: Int32Array;
  private readonly seen: Int32Array;
  private readonly slot: Int32Array;
  private stamp = 0;
  private readonly ranked = new Map<number, Int32Array>();
  private tail: { temperature: number; cumulative: Float64Array } | undefined;
  private readonly candidate: number[] = [];
  private readonly score: number[] = [];
  private readonly promptMarks: Int32Array;
  private readonly beamMarks: Int32Array;
  private markStamp = 0;

  constructor(readonly model: KneserNeyModel) {
    this.nodes = new Int32Array(Math.max(1, model.order - 1));
    this.seen = new Int32Array(model.vocabSize);
    this.slot = new Int32Array(model.vocabSize);
    this.promptMarks = new Int32Array(model.vocabSize);
    this.beamMarks = new Int32Array(model.vocabSize);
  }

  /** Writes `length` new tokens after prompt[from..to) into out[at..at+length). */
  continue(
    prompt: Int32Array,
    from: number,
    to: number,
    length: number,
    decoding: Decoding,
    rng: Rng,
    out: Int32Array,
    at: number,
  ): void {
    if (decoding.type === 'beam') {
      this.beam(prompt, from, to, length, decoding.width, decoding.repetitionPenalty, out, at);
      return;
    }
    const N = this.model.order;
    // The running history: the prompt's last N − 1 tokens, then what was generated.
    const keep = Math.min(N - 1, to - from);
    const history = new Int32Array(keep + length);
    history.set(prompt.subarray(to - keep, to));
    for (let t = 0; t < length; t++) {
      const end = keep + t;
      contextNodes(this.model, history, Math.max(0, end - N + 1), end, this.nodes);
      let next: number;
      if (decoding.type === 'greedy') next = this.top(1, undefined, 1)[0];
      else if (decoding.topK > 0) next = this.sampleTopK(decoding.topK, decoding.temperature, rng);
      else if (decoding.temperature === 1) next = this.sampleExact(rng);
      else next = this.sampleTempered(decoding.temperature, rng);
      history[end] = next;
      out[at + t] = next;
    }
  }

  /** Exact ancestral draw from P(· | context), using the nodes last computed. */
  private sampleExact(rng: Rng): number {
    const m = this.model;
    for (let n = m.order; n >= 2; n--) {
      const c = this.nodes[n - 2];
      if (c < 0) continue;
      const total = m.contextTotal[n - 2][c];
      if (total === 0) continue;
      const u = rng.uniform();
      const gamma = m.contextGamma[n - 2][c];
      if (u >= 1 - gamma) continue;
      const level = m.levels[n - 2];
      return level.words[
        searchCumulative(m.cumulative[n - 2], level.childStart[c], level.childStart[c + 1], u * total)
      ];
    }
    const u = rng.uniform();
    if (u < 1 - m.rootGamma) return searchCumulative(m.unigramCumulative, 0, m.vocabSize, u * m.rootTotal);
    return rng.int(m.vocabSize);
  }

  /**
   * P(w|h) of every word seen after the current context at an order ≥ 2, accumulated level by level into
   * `score` (parallel to `candidate`), and returns Γ: every other word has probability Γ · P_1(w).
   */
  private contextCandidates(): number {
    const m = this.model;
    this.candidate.length = 0;
    this.score.length = 0;
    const stamp = ++this.stamp;
    let weight = 1;
    for (let n = m.order; n >= 2; n--) {
      const c = this.nodes[n - 2];
      if (c < 0 || m.contextTotal[n - 2][c] === 0) continue;
      const level = m.levels[n - 2];
      const scale = weight / m.contextTotal[n - 2][c];
      for (let j = level.childStart[c]; j < level.childStart[c + 1]; j++) {
        const count = level.counts[j];
        if (count <= 0) continue;
        const w = level.words[j];
        const term = scale * (count - discountOf(m.discounts, n, count));
        if (this.seen[w] !== stamp) {
          this.seen[w] = stamp;
          this.slot[w] = this.candidate.length;
          this.candidate.push(w);
          this.score.push(term);
        } else this.score[this.slot[w]] += term;
      }
      weight *= m.contextGamma[n - 2][c];
    }
    // Each candidate also gets the lower orders' share, down to the unigram (uniform included).
    for (let i = 0; i < this.candidate.length; i++) this.score[i] += weight * m.unigram[this.candidate[i]];
    return weight;
  }

  /** P(·|h)^(1/T): the context's words exactly, the rest as Γ^(1/T) · P_1^(1/T) drawn by rejection. */
  private sampleTempered(temperature: number, rng: Rng): number {
    const m = this.model;
    const inv = 1 / temperature;
    if (this.tail?.temperature !== temperature) {
      const cumulative = new Float64Array(m.vocabSize);
      let acc = 0;
      for (let w = 0; w < m.vocabSize; w++) cumulative[w] = acc += m.unigram[w] ** inv;
      this.tail = { temperature, cumulative };
    }
    const cumulative = this.tail.cumulative;
    const gamma = this.contextCandidates();
    const stamp = this.stamp;
    let inside = 0;
    let tailMass = cumulative[m.vocabSize - 1];
    for (let i = 0; i < this.candidate.length; i++) {
      this.score[i] **= inv;
      inside += this.score[i];
      tailMass -= m.unigram[this.candidate[i]] ** inv;
    }
    const tail = gamma ** inv * Math.max(tailMass, 0);
    let u = rng.uniform() * (inside + tail);
    for (let i = 0; i < this.candidate.length; i++) {
      u -= this.score[i];
      if (u < 0) return this.candidate[i];
    }
    for (;;) {
      const w = searchCumulative(cumulative, 0, m.vocabSize, rng.uniform() * cumulative[m.vocabSize - 1]);
      if (this.seen[w] !== stamp) return w;
    }
  }

  private sampleTopK(k: number, temperature: number, rng: Rng): number {
    const best = this.top(k, undefined, 1);
    const inv = 1 / temperature;
    const weights = best.map((w) => probability(this.model, this.nodes, w) ** inv);
    let u = rng.uniform() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < best.length; i++) {
      u -= weights[i];
      if (u < 0) return best[i];
    }
    return best[best.length - 1];
  }

  /** The children of context c at order n, by decreasing discounted count (cached: contexts recur). */
  private rankedChildren(n: number, c: number): Int32Array {
    const key = c * 64 + n;
    let ranked = this.ranked.get(key);
    if (!ranked) {
      const level = this.model.levels[n - 2];
      const d = this.model.discounts;
      const value = (j: number) => level.counts[j] - discountOf(d, n, level.counts[j]);
      const start = level.childStart[c];
      const size = level.childStart[c + 1] - start;
      ranked = new Int32Array(size);
      for (let j = 0; j < size; j++) ranked[j] = start + j;
      ranked.sort((a, b) => value(b) - value(a) || a - b);
      if (this.ranked.size > 200_000) this.ranked.clear();
      this.ranked.set(key, ranked);
    }
    return ranked;
  }

  /**
   * The k words of highest score under the current context nodes, best first, where score = P(w|h), raised to
   * `penalty` for words in `penalized` (the repetition penalty on log-probabilities). Fagin's threshold algorithm
   * over the per-order lists: P(w|h) = Σ_n W_n A_n(w) + W_1 P_1(w) with each list sorted by its term, so once the
   * k-th best exact score beats the sum of the lists' next terms, no unseen word can enter.
   */
  top(k: number, repeated: ((w: number) => boolean) | undefined, penalty: number): number[] {
    const m = this.model;
    const lists: { words: Int32Array; order: Int32Array | null; weight: number; n: number; total: number }[] = [];
    let weight = 1;
    for (let n = m.order; n >= 2; n--) {
      const c = this.nodes[n - 2];
      if (c < 0 || m.contextTotal[n - 2][c] === 0) continue;
      lists.push({
        words: m.levels[n - 2].words,
        order: this.rankedChildren(n, c),
        weight,
        n,
        total: m.contextTotal[n - 2][c],
      });
      weight *= m.contextGamma[n - 2][c];
    }
    lists.push({ words: m.unigramRanking, order: null, weight, n: 1, total: 0 });
    const stamp = ++this.stamp;
    const bestWords: number[] = [];
    const bestScores: number[] = [];
    const positions = new Int32Array(lists.length);
    const offer = (w: number) => {
      if (this.seen[w] === stamp) return;
      this.seen[w] = stamp;
      let s = probability(m, this.nodes, w);
      if (repeated?.(w)) s **= penalty;
      if (bestWords.length === k && s <= bestScores[k - 1]) return;
      let i = bestWords.length < k ? bestWords.length : k - 1;
      if (bestWords.length < k) {
        bestWords.push(w);
        bestScores.push(s);
      }
      while (i > 0 && bestScores[i - 1] < s) {
        bestWords[i] = bestWords[i - 1];
        bestScores[i] = bestScores[i - 1];
        i--;
      }
      bestWords[i] = w;
      bestScores[i] = s;
    };
    for (;;) {
      let threshold = 0;
      let exhausted = true;
      for (let l = 0; l < lists.length; l++) {
        const list = lists[l];
        const length = list.order ? list.order.length : list.words.length;
        if (positions[l] >= length) continue;
        exhausted = false;
        const w = list.order ? list.words[list.order[positions[l]]] : list.words[positions[l]];
        positions[l]++;
        offer(w);
        // The next unseen entry's term bounds every word further down this list.
        if (positions[l] < length) threshold += this.term(list, positions[l]);
      }
      if (exhausted) break;
      if (bestWords.length === k && bestScores[k - 1] >= threshold) break;
    }
    return bestWords;
  }

  private term(
    list: { words: Int32Array; order: Int32Array | null; weight: number; n: number; total: number },
    position: number,
  ): number {
    const m = this.model;
    if (!list.order) return list.weight * m.unigram[list.words[position]];
    const count = m.levels[list.n - 2].counts[list.order[position]];
    const d = discountOf(m.discounts, list.n, count);
    return (list.weight * (count - d)) / list.total;
  }

  /**
   * Beam search as in Hugging Face's generate (the paper's setting): `width` beams, exactly `length` new tokens,
   * scores the sum of log-probabilities with a repeated token's log-probability multiplied by `penalty`
   * (prompt tokens count as repeated). Each beam proposes its 2·width best next tokens.
   */
  private beam(
    prompt: Int32Array,
    from: number,
    to: number,
    length: number,
    width: number,
    penalty: number,
    out: Int32Array,
    at: number,
  ): void {
    const N = this.model.order;
    const keep = Math.min(N - 1, to - from);
    let beams: { tokens: Int32Array; score: number }[] = [{ tokens: new Int32Array(keep + length), score: 0 }];
    beams[0].tokens.set(prompt.subarray(to - keep, to));
    const promptStamp = ++this.markStamp;
    for (let i = from; i < to; i++) this.promptMarks[prompt[i]] = promptStamp;
    for (let t = 0; t < length; t++) {
      const end = keep + t;
      const proposals: { parent: number; word: number; score: number }[] = [];
      for (let b = 0; b < beams.length; b++) {
        const beam = beams[b];
        // Penalized: the prompt's tokens and this beam's own generated ones.
        const beamStamp = ++this.markStamp;
        for (let i = keep; i < end; i++) this.beamMarks[beam.tokens[i]] = beamStamp;
        const repeated = (w: number) => this.beamMarks[w] === beamStamp || this.promptMarks[w] === promptStamp;
        contextNodes(this.model, beam.tokens, Math.max(0, end - N + 1), end, this.nodes);
        for (const w of this.top(2 * width, repeated, penalty)) {
          const logp = Math.log(probability(this.model, this.nodes, w));
          proposals.push({ parent: b, word: w, score: beam.score + (repeated(w) ? logp * penalty : logp) });
        }
      }
      proposals.sort((a, b) => b.score - a.score || a.parent - b.parent || a.word - b.word);
      const next: { tokens: Int32Array; score: number }[] = [];
      for (let i = 0; i < Math.min(width, proposals.length); i++) {
        const p = proposals[i];
        const tokens = beams[p.parent].tokens.slice();
        tokens[end] = p.word;
        next.push({ tokens, score: p.score });
      }
      beams = next;
    }
    out.set(beams[0].tokens.subarray(keep, keep + length), at);
  }
}

/** The index j in [lo, hi) of the first cumulative value above `target` (skipping zero-width entries). */
function searchCumulative(cumulative: Float64Array, lo: number, hi: number, target: number): number {
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (cumulative[mid] > target) b = mid;
    else a = mid + 1;
  }
  return a;
}
