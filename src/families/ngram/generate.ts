/**
 * Continuing a prompt with a Kneser–Ney model, with candidates always taken from the n-gram tables, never from
 * a scan of the vocabulary:
 *
 * - ancestral sampling at temperature 1 walks the interpolation itself: with probability 1 − γ it draws from the
 *   longest context's discounted counts, else it backs off one order (exact, O(order · log) per token);
 * - top-k, greedy and beam search rank words by a threshold algorithm over per-order lists sorted by count: a
 *   word outside every list has probability Γ · P_1(w), so the unigram ranking bounds the rest;
 * - other temperatures weigh the words seen after the context exactly and the rest through the unigram tail.
 *
 * With a watermark (Kirchenbauer et al. 2023), green words get e^δ times their probability before temperature,
 * top-k and greedy. Sampling stays exact by rejection: draw from the unbiased distribution, keep a green word
 * always and a red one with probability e^(−δ/T). The accepted draw has exactly the biased distribution, each
 * trial costs one table draw and one hash, and the expected number of trials is e^δ / (1 + (e^δ − 1) P(green))
 * ≤ e^δ (≈ 2.8 at δ 2 when a quarter of the mass is green). Top-k and greedy rank by the biased score, whose
 * threshold bound is the unbiased one times e^δ.
 */
import type { Rng } from '../../core/rng.js';
import type { GreenList } from '../../watermark/green-list.js';
import type { Decoding } from '../lm/sequence-model.js';
import { contextNodes, discountOf, type KneserNeyModel, probability } from './kneser-ney.js';

export type { Decoding };

/** How many best words of a context beam search keeps cached. */
const TOP_CACHED = 24;

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
  private readonly topCache = new Map<number, { words: Int32Array; probs: Float64Array; bound: number }>();
  /** The green list in force at the current position (undefined: no bias here), its seed and e^δ. */
  private green: GreenList | undefined;
  private greenSeed = 0;
  private boost = 1;

  constructor(readonly model: KneserNeyModel) {
    this.nodes = new Int32Array(Math.max(1, model.order - 1));
    this.seen = new Int32Array(model.vocabSize);
    this.slot = new Int32Array(model.vocabSize);
    this.promptMarks = new Int32Array(model.vocabSize);
    this.beamMarks = new Int32Array(model.vocabSize);
  }

  /**
   * Writes `length` new tokens after prompt[from..to) into out[at..at+length), biased towards `watermark`'s green
   * lists when one is given (not with beam search). Positions with fewer than its contextWidth tokens before
   * them have no green list and are sampled plainly.
   */
  continue(
    prompt: Int32Array,
    from: number,
    to: number,
    length: number,
    decoding: Decoding,
    rng: Rng,
    out: Int32Array,
    at: number,
    watermark?: GreenList,
  ): void {
    if (decoding.type === 'beam') {
      if (watermark) throw new RangeError('watermarked sampling supports decoding sample and greedy, not beam');
      this.beam(prompt, from, to, length, decoding.width, decoding.repetitionPenalty, out, at);
      return;
    }
    const N = this.model.order;
    const width = watermark ? watermark.options.contextWidth : 0;
    // The running history: the prompt's last N − 1 tokens (or the green list's context, if longer), then what was
    // generated.
    const keep = Math.min(Math.max(N - 1, width), to - from);
    const history = new Int32Array(keep + length);
    history.set(prompt.subarray(to - keep, to));
    this.boost = watermark ? Math.exp(watermark.options.delta) : 1;
    const temperature = decoding.type === 'sample' ? decoding.temperature : 1;
    const redAccept = watermark ? Math.exp(-watermark.options.delta / temperature) : 1;
    try {
      for (let t = 0; t < length; t++) {
        const end = keep + t;
        contextNodes(this.model, history, Math.max(0, end - N + 1), end, this.nodes);
        this.green = watermark && end >= width ? watermark : undefined;
        if (this.green) this.greenSeed = this.green.seed(history, end);
        let next: number;
        if (decoding.type === 'greedy') next = this.top(1, undefined, 1)[0];
        else if (decoding.topK > 0) next = this.sampleTopK(decoding.topK, decoding.temperature, rng);
        else if (decoding.temperature === 1) next = this.sampleExactBiased(rng, redAccept);
        else next = this.sampleTempered(decoding.temperature, rng, redAccept);
        history[end] = next;
        out[at + t] = next;
      }
    } finally {
      this.green = undefined;
      this.boost = 1;
    }
  }

  /** The watermark's factor on word w at the current position: e^δ if green, else 1. */
  private boostOf(w: number): number {
    return this.green?.isGreen(this.greenSeed, w) ? this.boost : 1;
  }

  /** Whether a draw w from the unbiased distribution is kept: green always, red with probability `redAccept`. */
  private accepts(w: number, rng: Rng, redAccept: number): boolean {
    return !this.green || this.green.isGreen(this.greenSeed, w) || rng.uniform() < redAccept;
  }

  /** Exact draw from P(w | context) · e^(δ·green(w)) / Z by rejection from the exact ancestral sampler. */
  private sampleExactBiased(rng: Rng, redAccept: number): number {
    for (;;) {
      const w = this.sampleExact(rng);
      if (this.accepts(w, rng, redAccept)) return w;
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

  /**
   * P(·|h)^(1/T): the context's words exactly, the rest as Γ^(1/T) · P_1^(1/T) drawn by rejection; with a
   * watermark, each draw is then kept as `accepts` says (the weights are computed once per position).
   */
  private sampleTempered(temperature: number, rng: Rng, redAccept = 1): number {
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
    for (;;) {
      const w = this.drawTempered(inside + tail, cumulative, stamp, rng);
      if (this.accepts(w, rng, redAccept)) return w;
    }
  }

  private drawTempered(total: number, cumulative: Float64Array, stamp: number, rng: Rng): number {
    const V = this.model.vocabSize;
    let u = rng.uniform() * total;
    for (let i = 0; i < this.candidate.length; i++) {
      u -= this.score[i];
      if (u < 0) return this.candidate[i];
    }
    for (;;) {
      const w = searchCumulative(cumulative, 0, V, rng.uniform() * cumulative[V - 1]);
      if (this.seen[w] !== stamp) return w;
    }
  }

  private sampleTopK(k: number, temperature: number, rng: Rng): number {
    const best = this.top(k, undefined, 1);
    const inv = 1 / temperature;
    const weights = best.map((w) => (probability(this.model, this.nodes, w) * this.boostOf(w)) ** inv);
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
   * `penalty` for words in `penalized` (the repetition penalty on log-probabilities), times e^δ for a green word
   * under a watermark. Fagin's threshold algorithm over the per-order lists: P(w|h) = Σ_n W_n A_n(w) + W_1 P_1(w)
   * with each list sorted by its term, so once the k-th best exact score beats the sum of the lists' next terms
   * (times the largest boost), no unseen word can enter.
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
      if (this.green) s *= this.boostOf(w);
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
      if (bestWords.length === k && bestScores[k - 1] >= threshold * (this.green ? this.boost : 1)) break;
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
   * The k best words under the repetition penalty, with their penalized probabilities (P, or P^penalty for a
   * repeated word), written best first into `words`/`scores`; returns how many. A context's unpenalized top list
   * is cached: contexts recur across beams and prompts, and the penalty only lowers scores, so if the k-th best
   * penalized score in the list reaches the best probability outside it, the list holds the answer; otherwise
   * the threshold algorithm runs with the penalty.
   */
  private topRepeatPenalized(
    k: number,
    repeated: (w: number) => boolean,
    penalty: number,
    words: Int32Array,
    scores: Float64Array,
  ): number {
    const m = this.model;
    let key = 0;
    for (let n = m.order; n >= 2 && key === 0; n--) {
      const c = this.nodes[n - 2];
      if (c >= 0 && m.contextTotal[n - 2][c] > 0) key = c * 16 + n;
    }
    let cached = this.topCache.get(key);
    if (!cached) {
      const listed = this.top(TOP_CACHED + 1, undefined, 1);
      const probs = listed.map((w) => probability(m, this.nodes, w));
      cached = {
        words: Int32Array.from(listed.slice(0, TOP_CACHED)),
        probs: Float64Array.from(probs.slice(0, TOP_CACHED)),
        bound: listed.length > TOP_CACHED ? probs[TOP_CACHED] : 0,
      };
      if (this.topCache.size >= 300_000) this.topCache.clear();
      this.topCache.set(key, cached);
    }
    // Insertion into a sorted buffer of k: the list is short and mostly in order already.
    let found = 0;
    for (let i = 0; i < cached.words.length; i++) {
      const w = cached.words[i];
      const score = repeated(w) ? cached.probs[i] ** penalty : cached.probs[i];
      if (found === k && score <= scores[k - 1]) continue;
      let j = found < k ? found++ : k - 1;
      while (j > 0 && scores[j - 1] < score) {
        scores[j] = scores[j - 1];
        words[j] = words[j - 1];
        j--;
      }
      scores[j] = score;
      words[j] = w;
    }
    if (found === k && scores[k - 1] >= cached.bound) return k;
    const exact = this.top(k, repeated, penalty);
    for (let i = 0; i < exact.length; i++) {
      const p = probability(m, this.nodes, exact[i]);
      words[i] = exact[i];
      scores[i] = repeated(exact[i]) ? p ** penalty : p;
    }
    return exact.length;
  }

  /**
   * Beam search as in Hugging Face's generate (the paper's setting): `width` beams, exactly `length` new tokens,
   * scores the sum of log-probabilities with a repeated token's log-probability multiplied by `penalty`
   * (prompt tokens count as repeated). Each beam proposes its 2·width best next tokens; ties go to the earlier
   * beam, then the smaller token id.
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
    const span = keep + length;
    const k = 2 * width;
    // Beams as rows of flat arrays, double-buffered: row b holds the context then the generated tokens.
    let rows = new Int32Array(width * span);
    let next = new Int32Array(width * span);
    let rowScores = new Float64Array(width);
    let nextScores = new Float64Array(width);
    rows.set(prompt.subarray(to - keep, to));
    let beams = 1;
    const words = new Int32Array(k);
    const scores = new Float64Array(k);
    const proposalParent = new Int32Array(width * k);
    const proposalWord = new Int32Array(width * k);
    const proposalScore = new Float64Array(width * k);
    const promptStamp = ++this.markStamp;
    for (let i = from; i < to; i++) this.promptMarks[prompt[i]] = promptStamp;
    for (let t = 0; t < length; t++) {
      const end = keep + t;
      let proposals = 0;
      for (let b = 0; b < beams; b++) {
        const row = b * span;
        // Penalized: the prompt's tokens and this beam's own generated ones.
        const beamStamp = ++this.markStamp;
        for (let i = keep; i < end; i++) this.beamMarks[rows[row + i]] = beamStamp;
        const repeated = (w: number) => this.beamMarks[w] === beamStamp || this.promptMarks[w] === promptStamp;
        contextNodes(this.model, rows, row + Math.max(0, end - N + 1), row + end, this.nodes);
        const found = this.topRepeatPenalized(k, repeated, penalty, words, scores);
        // Keep proposals sorted (score desc, then parent, then word) by insertion: at most width·2·width of them.
        for (let i = 0; i < found; i++) {
          const score = rowScores[b] + Math.log(scores[i]);
          let j = proposals++;
          while (
            j > 0 &&
            (proposalScore[j - 1] < score ||
              (proposalScore[j - 1] === score && proposalParent[j - 1] === b && proposalWord[j - 1] > words[i]))
          ) {
            proposalScore[j] = proposalScore[j - 1];
            proposalParent[j] = proposalParent[j - 1];
            proposalWord[j] = proposalWord[j - 1];
            j--;
          }
          proposalScore[j] = score;
          proposalParent[j] = b;
          proposalWord[j] = words[i];
        }
      }
      beams = Math.min(width, proposals);
      for (let i = 0; i < beams; i++) {
        next.set(rows.subarray(proposalParent[i] * span, proposalParent[i] * span + end), i * span);
        next[i * span + end] = proposalWord[i];
        nextScores[i] = proposalScore[i];
      }
      [rows, next] = [next, rows];
      [rowScores, nextScores] = [nextScores, rowScores];
    }
    out.set(rows.subarray(keep, keep + length), at);
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
