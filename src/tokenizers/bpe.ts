/**
 * Byte-level BPE (Sennrich et al. 2016; the byte-level form of GPT-2): text is split into pre-tokens (GPT-2's
 * pattern), each pre-token into its UTF-8 bytes (ids 0..255), and the most frequent adjacent pair is merged
 * into a new id until the vocabulary reaches its size. Any UTF-8 text round-trips, since every byte has an id.
 */
import type { Tokenizer, TokenizerJson } from './tokenizer.js';

const PRETOKEN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const PAIR = 2 ** 21; // ids stay below 2^21, so a pair packs into one safe integer
const encoder = new TextEncoder();

function pretokens(text: string): string[] {
  return text.match(PRETOKEN) ?? [];
}

export class BpeTokenizer implements Tokenizer {
  readonly type = 'bpe' as const;
  readonly merges: readonly (readonly [number, number])[];
  /** pair key → merge rank (the merged id is 256 + rank). */
  private readonly ranks = new Map<number, number>();
  private readonly bytesOf: Uint8Array[] = [];
  private readonly cache = new Map<string, Int32Array>();

  constructor(merges: readonly (readonly [number, number])[]) {
    this.merges = merges;
    for (let b = 0; b < 256; b++) this.bytesOf.push(Uint8Array.of(b));
    merges.forEach(([a, b], rank) => {
      if (a >= 256 + rank || b >= 256 + rank) throw new Error(`BPE merge ${rank} refers to an id not yet defined`);
      this.ranks.set(a * PAIR + b, rank);
      const joined = new Uint8Array(this.bytesOf[a].length + this.bytesOf[b].length);
      joined.set(this.bytesOf[a]);
      joined.set(this.bytesOf[b], this.bytesOf[a].length);
      this.bytesOf.push(joined);
    });
  }

  /** Learns merges on `text` until the vocabulary has `vocabSize` ids (or no pair occurs twice). */
  static train(text: string, vocabSize: number): BpeTokenizer {
    if (!(Number.isInteger(vocabSize) && vocabSize >= 256 && vocabSize < PAIR)) {
      throw new RangeError(`BPE vocabSize must be an integer in [256, ${PAIR}), got ${vocabSize}`);
    }
    // Distinct pre-tokens with their frequencies: merges only ever act inside one.
    const freq = new Map<string, number>();
    for (const piece of pretokens(text)) freq.set(piece, (freq.get(piece) ?? 0) + 1);
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [piece, count] of freq) {
      words.push(Array.from(encoder.encode(piece)));
      counts.push(count);
    }
    const pairCount = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    const addPairs = (w: number, sign: number) => {
      const symbols = words[w];
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] * PAIR + symbols[i + 1];
        pairCount.set(key, (pairCount.get(key) ?? 0) + sign * counts[w]);
        if (sign > 0) {
          let set = pairWords.get(key);
          if (!set) pairWords.set(key, (set = new Set()));
          set.add(w);
        }
      }
    };
    for (let w = 0; w < words.length; w++) addPairs(w, 1);
    const heap = new PairHeap();
    for (const [key, count] of pairCount) heap.push(count, key);

    const merges: [number, number][] = [];
    while (256 + merges.length < vocabSize) {
      // Pop until the top entry is current (counts change as merges proceed; stale entries are skipped).
      let best = -1;
      while (heap.size > 0) {
        const [count, key] = heap.pop();
        if (pairCount.get(key) === count && count > 0) {
          best = key;
          break;
        }
      }
      if (best < 0 || (pairCount.get(best) ?? 0) < 2) break;
      const a = Math.floor(best / PAIR);
      const b = best % PAIR;
      const id = 256 + merges.length;
      merges.push([a, b]);
      const touched = pairWords.get(best) ?? new Set<number>();
      pairWords.delete(best);
      const changed = new Set<number>();
      for (const w of touched) {
        const symbols = words[w];
        let has = false;
        for (let i = 0; i + 1 < symbols.length; i++) if (symbols[i] === a && symbols[i + 1] === b) has = true;
        if (!has) continue;
        // Pairs the merge removes drop in count: their heap entries go stale and must be pushed afresh.
        for (let i = 0; i + 1 < symbols.length; i++) changed.add(symbols[i] * PAIR + symbols[i + 1]);
        addPairs(w, -1);
        const next: number[] = [];
        for (let i = 0; i < symbols.length; i++) {
          if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
            next.push(id);
            i++;
          } else next.push(symbols[i]);
        }
        words[w] = next;
        addPairs(w, 1);
        for (let i = 0; i + 1 < next.length; i++) changed.add(next[i] * PAIR + next[i + 1]);
      }
      for (const key of changed) heap.push(pairCount.get(key) ?? 0, key);
    }
    return new BpeTokenizer(merges);
  }

  get vocabSize(): number {
    return 256 + this.merges.length;
  }

  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const piece of pretokens(text)) {
      let ids = this.cache.get(piece);
      if (!ids) {
        ids = this.mergePiece(encoder.encode(piece));
        if (this.cache.size < 100_000) this.cache.set(piece, ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    }
    return Int32Array.from(out);
  }

  /** Applies merges to one pre-token's bytes, lowest rank first, as they were learned. */
  private mergePiece(bytes: Uint8Array): Int32Array {
    const symbols = Array.from(bytes);
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(symbols[i] * PAIR + symbols[i + 1]);
        if (rank !== undefined && rank < bestRank) bestRank = rank;
      }
      if (bestRank === Number.POSITIVE_INFINITY) return Int32Array.from(symbols);
      const [a, b] = this.merges[bestRank];
      const next: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          next.push(256 + bestRank);
          i++;
        } else next.push(symbols[i]);
      }
      symbols.length = 0;
      symbols.push(...next);
    }
  }

  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    let total = 0;
    for (let i = 0; i < ids.length; i++) total += this.bytesOf[ids[i]].length;
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      out.set(this.bytesOf[ids[i]], at);
      at += this.bytesOf[ids[i]].length;
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    return new TextDecoder().decode(this.decodeBytes(ids));
  }

  /** One token's text; a token that ends inside a multi-byte character shows U+FFFD for the partial bytes. */
  tokenText(id: number): string {
    return new TextDecoder().decode(this.bytesOf[id]);
  }

  toJSON(): TokenizerJson {
    return { type: 'bpe', merges: this.merges };
  }
}

/** A binary max-heap of (count, key): larger count first, then smaller key, so training is deterministic. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  private above(i: number, j: number): boolean {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const lastCount = this.counts.pop() as number;
    const lastKey = this.keys.pop() as number;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.counts.length && this.above(l, best)) best = l;
        if (r < this.counts.length && this.above(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}
