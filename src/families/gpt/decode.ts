/**
 * Decoding over a batch of running sequences, for any model that can give next-token log-probabilities row by row
 * (a `DecodeSession`): ancestral sampling with temperature, top-k and top-p, greedy, and Hugging Face's beam
 * search as the paper's code calls it (`num_beams=5, min/max_new_tokens=64, repetition_penalty=3.0`), batched
 * over prompts.
 */
import type { Rng } from '../../core/rng.js';

export interface DecodeSession {
  /** Running sequences. */
  readonly rows: number;
  /** Tokens that may be emitted: ids 0..vocab−1. */
  readonly vocab: number;
  /** Natural-log next-token probabilities of every row, [rows * vocab], at the current position. */
  logProbs(): Float64Array;
  /** The same as probabilities, if the model has them at hand (saves an exp per token when sampling plainly). */
  probabilities?(): Float32Array;
  /** Appends tokens[i] to row i. */
  advance(tokens: Int32Array): void;
  /** Row i continues from what row parents[i] held. */
  reorder(parents: Int32Array): void;
}

export interface SamplingOptions {
  readonly temperature: number;
  /** Keep the k most likely tokens (0: all). */
  readonly topK: number;
  /** Keep the smallest most-likely set with at least this probability (1: all). */
  readonly topP: number;
}

/** Row i's `length` new tokens at out[i * length ..]; draws come from rng, row by row, step by step. */
export function sampleSession(
  session: DecodeSession,
  length: number,
  options: SamplingOptions | 'greedy',
  rng: Rng,
  out: Int32Array,
  onStep?: (step: number) => void,
): void {
  const { rows, vocab: V } = session;
  const next = new Int32Array(rows);
  const weights = new Float64Array(V);
  const order = new Int32Array(V);
  const plain = options !== 'greedy' && options.temperature === 1 && options.topK === 0 && options.topP >= 1;
  for (let t = 0; t < length; t++) {
    const probs = plain ? session.probabilities?.() : undefined;
    const lp = probs ? undefined : session.logProbs();
    for (let r = 0; r < rows; r++) {
      if (probs) next[r] = drawPlain(probs.subarray(r * V, (r + 1) * V), rng);
      else {
        const row = lp!.subarray(r * V, (r + 1) * V);
        next[r] = options === 'greedy' ? argmax(row) : drawFrom(row, options as SamplingOptions, rng, weights, order);
      }
      out[r * length + t] = next[r];
    }
    if (t + 1 < length) session.advance(next);
    onStep?.(t + 1);
  }
}

/** One draw from probabilities that sum to about 1 (their float32 sum is the total). */
export function drawPlain(p: Float32Array, rng: Rng): number {
  let total = 0;
  for (let w = 0; w < p.length; w++) total += p[w];
  let u = rng.uniform() * total;
  for (let w = 0; w < p.length; w++) {
    u -= p[w];
    if (u < 0) return w;
  }
  let last = p.length - 1;
  while (last > 0 && p[last] === 0) last--;
  return last;
}

function argmax(row: Float64Array): number {
  let best = 0;
  for (let w = 1; w < row.length; w++) if (row[w] > row[best]) best = w;
  return best;
}

/** One draw from softmax(logp / T) restricted to its top-k and top-p set. */
export function drawFrom(
  logp: Float64Array,
  { temperature, topK, topP }: SamplingOptions,
  rng: Rng,
  weights = new Float64Array(logp.length),
  order = new Int32Array(logp.length),
): number {
  const V = logp.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let w = 0; w < V; w++) if (logp[w] > max) max = logp[w];
  let total = 0;
  for (let w = 0; w < V; w++) total += weights[w] = Math.exp((logp[w] - max) / temperature);
  if ((topK > 0 && topK < V) || topP < 1) {
    // Most likely first (lower id first on ties), then cut at k and at the cumulative mass topP.
    for (let w = 0; w < V; w++) order[w] = w;
    order.sort((a, b) => weights[b] - weights[a] || a - b);
    const k = topK > 0 ? Math.min(topK, V) : V;
    let kept = 0;
    let mass = 0;
    while (kept < k && (kept === 0 || mass < topP * total)) mass += weights[order[kept++]];
    let u = rng.uniform() * mass;
    for (let i = 0; i < kept; i++) {
      u -= weights[order[i]];
      if (u < 0) return order[i];
    }
    return order[kept - 1];
  }
  let u = rng.uniform() * total;
  for (let w = 0; w < V; w++) {
    u -= weights[w];
    if (u < 0) return w;
  }
  return V - 1;
}

export interface BeamOptions {
  readonly width: number;
  /** Hugging Face's repetition_penalty on log-probabilities: a token already in the row scores `× penalty`. */
  readonly repetitionPenalty: number;
}

/**
 * Beam search for `prompts` prompts whose session rows are prompt-major (row p·width + j is beam j of prompt p),
 * every beam starting as its prompt. Writes the best beam's `length` new tokens of prompt p at out[p * length ..].
 * `seen(row, token)` says whether a row's prompt holds the token (for the penalty). As Hugging Face: beams start
 * with scores 0, −1e9, … so the first step expands one beam; each step keeps the `width` best (beam, token)
 * extensions by summed processed log-probability, ties going to the lower beam then the lower token; with no
 * end-of-text token every hypothesis has the same length, so the best final score wins.
 */
export function beamSearch(
  session: DecodeSession,
  prompts: number,
  length: number,
  { width: W, repetitionPenalty: penalty }: BeamOptions,
  promptTokens: (prompt: number) => ArrayLike<number>,
  out: Int32Array,
  onStep?: (step: number) => void,
): void {
  const V = session.vocab;
  const rows = prompts * W;
  if (session.rows !== rows) throw new Error(`gpt: beam search needs ${rows} rows, the session has ${session.rows}`);
  // Tokens each row holds (prompt and generated so far), as per-row flags, and the generated tokens.
  let seen = new Uint8Array(rows * V);
  for (let p = 0; p < prompts; p++) {
    const tokens = promptTokens(p);
    for (let j = 0; j < W; j++) for (let i = 0; i < tokens.length; i++) seen[(p * W + j) * V + tokens[i]] = 1;
  }
  let history = new Int32Array(rows * length);
  let scores = new Float64Array(rows);
  for (let r = 0; r < rows; r++) scores[r] = r % W === 0 ? 0 : -1e9;
  const parents = new Int32Array(rows);
  const chosen = new Int32Array(rows);
  const nextScores = new Float64Array(rows);
  const candidates = new Float64Array(W * V);
  for (let t = 0; t < length; t++) {
    const lp = session.logProbs();
    for (let p = 0; p < prompts; p++) {
      for (let j = 0; j < W; j++) {
        const r = p * W + j;
        for (let w = 0; w < V; w++) {
          const x = lp[r * V + w];
          const processed = seen[r * V + w] ? (x < 0 ? x * penalty : x / penalty) : x;
          candidates[j * V + w] = scores[r] + processed;
        }
      }
      const best = topIndices(candidates, W);
      for (let j = 0; j < W; j++) {
        const r = p * W + j;
        parents[r] = p * W + Math.floor(best[j] / V);
        chosen[r] = best[j] % V;
        nextScores[r] = candidates[best[j]];
      }
    }
    const nextSeen = new Uint8Array(rows * V);
    const nextHistory = new Int32Array(rows * length);
    for (let r = 0; r < rows; r++) {
      nextSeen.set(seen.subarray(parents[r] * V, (parents[r] + 1) * V), r * V);
      nextSeen[r * V + chosen[r]] = 1;
      nextHistory.set(history.subarray(parents[r] * length, parents[r] * length + t), r * length);
      nextHistory[r * length + t] = chosen[r];
    }
    seen = nextSeen;
    history = nextHistory;
    scores = Float64Array.from(nextScores);
    if (t + 1 < length) {
      session.reorder(parents);
      session.advance(chosen);
    }
    onStep?.(t + 1);
  }
  for (let p = 0; p < prompts; p++) {
    let best = p * W;
    for (let j = 1; j < W; j++) if (scores[p * W + j] > scores[best]) best = p * W + j;
    out.set(history.subarray(best * length, (best + 1) * length), p * length);
  }
}

/** Indices of the k largest values, largest first, the lower index first on ties. */
export function topIndices(values: Float64Array, k: number): Int32Array {
  const top = new Int32Array(k).fill(-1);
  const better = (a: number, b: number) => b < 0 || values[a] > values[b] || (values[a] === values[b] && a < b);
  for (let i = 0; i < values.length; i++) {
    if (!better(i, top[k - 1])) continue;
    let at = k - 1;
    while (at > 0 && better(i, top[at - 1])) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = i;
  }
  return top;
}
