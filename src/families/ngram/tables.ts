/**
 * N-gram count tables on typed arrays, as a prefix trie: level n holds every distinct n-gram seen, sorted by
 * (its (n−1)-gram prefix, its last word), so the children of a context are one contiguous range found by binary
 * search. Level 1 is the vocabulary itself (id = word). No JS object per n-gram: building buckets positions by
 * prefix, sorts each bucket's packed (word, position) keys and stores counts in Int32Arrays.
 *
 * The counts are the ones interpolated Kneser–Ney needs: raw counts at the highest order, continuation counts
 * N1+(• g) (the number of distinct words seen before g) below it.
 */

export interface Level {
  /** Per n-gram: its last word. */
  readonly words: Int32Array;
  /** Per (n−1)-gram context c: its children at this level are words[childStart[c] .. childStart[c+1]). */
  readonly childStart: Int32Array;
  /** Per n-gram: the Kneser–Ney count (raw at the highest order, continuation count below). */
  readonly counts: Int32Array;
}

export interface NgramTables {
  readonly order: number;
  readonly vocabSize: number;
  /** Level 1: the KN count of every word (continuation counts, or raw counts for a unigram model). */
  readonly unigramCounts: Int32Array;
  /** levels[n − 2] is level n, for n = 2..order. */
  readonly levels: readonly Level[];
}

/**
 * Counts every n-gram (n ≤ order) of `stream` that lies inside one segment. `segmentEnds` lists the exclusive
 * end of each segment in increasing order (the last is stream.length): no n-gram crosses a segment boundary.
 */
export function buildTables(
  stream: Int32Array,
  segmentEnds: Int32Array,
  order: number,
  vocabSize: number,
): NgramTables {
  const T = stream.length;
  const V = vocabSize;
  // room[i]: how many tokens from i to the end of its segment, capped at the order.
  const room = new Uint8Array(T);
  let start = 0;
  for (let s = 0; s < segmentEnds.length; s++) {
    const end = segmentEnds[s];
    for (let i = start; i < end; i++) room[i] = Math.min(order, end - i);
    start = end;
  }
  for (let i = 0; i < T; i++) {
    if (stream[i] < 0 || stream[i] >= V) throw new RangeError(`token ${stream[i]} at ${i} is outside 0..${V - 1}`);
  }

  // ids[n − 1][i]: the level-n node of the n-gram starting at i (−1 where it does not fit its segment).
  const ids: Int32Array[] = [stream];
  const rawTop: Int32Array[] = [];
  const levelWords: Int32Array[] = [];
  const levelStarts: Int32Array[] = [];
  let parentCount = V;
  // Positions are bucketed by their prefix's node (a counting sort), then each bucket is sorted by next word
  // with the position packed below it: runs of one word are one node, numbered in (prefix, word) order.
  const positionBits = Math.max(1, Math.ceil(Math.log2(T + 1)));
  const shift = 2 ** positionBits;
  if (V * shift > Number.MAX_SAFE_INTEGER) throw new RangeError('buildTables: vocabulary × stream too large to pack');
  const keys = new Float64Array(T);
  for (let n = 2; n <= order; n++) {
    const prev = ids[n - 2];
    const bucketStart = new Int32Array(parentCount + 1);
    for (let i = 0; i < T; i++) if (room[i] >= n) bucketStart[prev[i] + 1]++;
    for (let p = 0; p < parentCount; p++) bucketStart[p + 1] += bucketStart[p];
    const fill = bucketStart.slice(0, parentCount);
    for (let i = 0; i < T; i++) if (room[i] >= n) keys[fill[prev[i]]++] = stream[i + n - 1] * shift + i;
    const id = new Int32Array(T).fill(-1);
    const total = bucketStart[parentCount];
    const words = new Int32Array(total);
    const raw = new Int32Array(total);
    let nodes = 0;
    const childStart = new Int32Array(parentCount + 1);
    for (let p = 0; p < parentCount; p++) {
      const a = bucketStart[p];
      const b = bucketStart[p + 1];
      // Most buckets are tiny: insertion sort there spares a subarray object per bucket.
      if (b - a > 24) keys.subarray(a, b).sort();
      else {
        for (let j = a + 1; j < b; j++) {
          const key = keys[j];
          let q = j - 1;
          while (q >= a && keys[q] > key) {
            keys[q + 1] = keys[q];
            q--;
          }
          keys[q + 1] = key;
        }
      }
      let last = -1;
      for (let j = a; j < b; j++) {
        const word = Math.floor(keys[j] / shift);
        if (word !== last) {
          words[nodes++] = word;
          last = word;
        }
        raw[nodes - 1]++;
        id[keys[j] - word * shift] = nodes - 1;
      }
      childStart[p + 1] = nodes;
    }
    ids.push(id);
    rawTop.push(raw.slice(0, nodes));
    levelWords.push(words.slice(0, nodes));
    levelStarts.push(childStart);
    parentCount = nodes;
  }

  // Continuation counts: level n's count of g is the number of distinct level-(n+1) n-grams whose suffix is g.
  const counts: Int32Array[] = [];
  for (let n = 1; n < order; n++) {
    const size = n === 1 ? V : levelWords[n - 2].length;
    const cont = new Int32Array(size);
    const upper = ids[n];
    const seen = new Uint8Array(levelWords[n - 1].length);
    const lower = ids[n - 1];
    for (let i = 0; i + 1 < T; i++) {
      const j = upper[i];
      if (j < 0 || seen[j]) continue;
      seen[j] = 1;
      cont[lower[i + 1]]++;
    }
    counts.push(cont);
  }
  if (order === 1) {
    const raw = new Int32Array(V);
    for (let i = 0; i < T; i++) raw[stream[i]]++;
    counts.push(raw);
  } else {
    counts.push(rawTop[order - 2]);
  }

  const levels: Level[] = [];
  for (let n = 2; n <= order; n++) {
    levels.push({ words: levelWords[n - 2], childStart: levelStarts[n - 2], counts: counts[n - 1] });
  }
  return { order, vocabSize: V, unigramCounts: counts[0], levels };
}

/** The child of `context` with last word `word` at `level`, or −1. */
export function findChild(level: Level, context: number, word: number): number {
  let lo = level.childStart[context];
  let hi = level.childStart[context + 1] - 1;
  const words = level.words;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const w = words[mid];
    if (w === word) return mid;
    if (w < word) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
