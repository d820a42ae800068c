/**
 * The paper's language-model protocol, for any SequenceModel: the real training stream is cut into blocks (the
 * real pool), and a generation's synthetic set is the model's continuation of every real block given that block
 * as its prompt (synthetic item i continues real block i mod the pool size), so it has the real set's size.
 *
 * Each generation is measured by perplexity on the real test split, the perplexity of every synthetic block under
 * generation 0's model (the paper's histogram), how many of the real data's rare types it still produces,
 * distinct-n, and what it writes after a few fixed real prompts; with a watermark, the detector's z-scores.
 */
import type { EvaluateContext, Metrics, ModelFamily, SampleContext } from '../../core/family.js';
import type { RealData } from '../../core/real-data.js';
import { type SequenceSamples, sequences } from '../../core/samples.js';
import {
  distinctN,
  histogram,
  quantiles,
  rareTypes,
  shareProduced,
  tokenCounts,
  typesPresent,
} from '../../metrics/text.js';
import { forEachWord } from '../../tokenizers/word.js';
import { detectSequences } from '../../watermark/detector.js';
import { GreenList } from '../../watermark/green-list.js';
import { watermarkedItems } from '../../watermark/share.js';
import type { LmProtocolOptions } from './options.js';
import type { Decoding, SequenceModel } from './sequence-model.js';

/** Per-block perplexities are binned on a log scale, 2^(k/2) for k = 0..40, the same edges every generation. */
export const PERPLEXITY_EDGES: readonly number[] = Array.from({ length: 41 }, (_, k) => 2 ** (k / 2));

/** Each sequence's summed log-probability (its tokens added in order, as a running sum would). */
export function sequenceLogLikelihoods(logProbs: Float64Array, s: SequenceSamples): Float64Array {
  const n = s.offsets.length - 1;
  const out = new Float64Array(n);
  const base = s.offsets[0];
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let t = s.offsets[i]; t < s.offsets[i + 1]; t++) sum += logProbs[t - base];
    out[i] = sum;
  }
  return out;
}

/** Perplexity of each sequence on its own (NaN for an empty one). */
export function sequencePerplexities(logProbs: Float64Array, s: SequenceSamples): Float64Array {
  const sums = sequenceLogLikelihoods(logProbs, s);
  return sums.map((sum, i) => {
    const length = s.offsets[i + 1] - s.offsets[i];
    return length > 0 ? Math.exp(-sum / length) : Number.NaN;
  });
}

/** Perplexity over every token of every sequence (sequence sums added in order). */
export function corpusPerplexity(logProbs: Float64Array, s: SequenceSamples): number {
  let sum = 0;
  for (const x of sequenceLogLikelihoods(logProbs, s)) sum += x;
  return Math.exp(-sum / (s.offsets[s.offsets.length - 1] - s.offsets[0]));
}

/** The first `limit` tokens of a sequence set (0: all of it), cut inside a sequence if need be. */
export function firstTokens(s: SequenceSamples, limit: number): SequenceSamples {
  const base = s.offsets[0];
  if (limit <= 0 || s.offsets[s.offsets.length - 1] - base <= limit) return s;
  const offsets: number[] = [base];
  for (let i = 1; i < s.offsets.length && offsets[offsets.length - 1] < base + limit; i++)
    offsets.push(Math.min(s.offsets[i], base + limit));
  return sequences(s.tokens, Int32Array.from(offsets), s.vocabSize);
}

/**
 * Words in a text as WikiText's word level counts them: whitespace-separated words plus one end-of-line per line
 * (so a word-level model's perplexity per word is its perplexity per token).
 */
export function wordCount(text: string): number {
  let n = 0;
  forEachWord(text, () => {
    n++;
  });
  return n;
}

function fixedPromptIndices(poolSize: number, count: number): number[] {
  const k = Math.min(count, poolSize);
  return Array.from({ length: k }, (_, i) => Math.floor((i * poolSize) / k));
}

/** Mean of values[i] over the items with marked[i] === flag (null if none). */
function meanWhere(values: Float64Array, marked: Uint8Array, flag: number): number | null {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (marked[i] !== flag) continue;
    sum += values[i];
    n++;
  }
  return n > 0 ? sum / n : null;
}

/** The tokens of item i of a sequence set. */
const itemTokens = (s: SequenceSamples, i: number) => s.tokens.subarray(s.offsets[i], s.offsets[i + 1]);

/** A ModelFamily that runs the protocol with `model`; `name` is the family's. */
export function createLmFamily<M>(
  name: string,
  model: SequenceModel<M>,
  options: LmProtocolOptions,
): ModelFamily<SequenceSamples, M> {
  const decoding = options.decoding as Decoding;
  const greenList = options.watermark && new GreenList(options.watermark);
  const share = options.watermarkShare ?? 1;
  // The generation's watermarked items: a function of the key and the generation (watermark/share.ts).
  const marking = (generation: number, count: number) =>
    options.watermark ? watermarkedItems(options.watermark.key, generation, count, share) : new Uint8Array(count);
  // The real data's rare types, computed once per real data set (a cache: nothing a resumed run lacks).
  const rareCache = new WeakMap<RealData<SequenceSamples>, Int32Array>();
  const rareOf = (real: RealData<SequenceSamples>) => {
    let rare = rareCache.get(real);
    if (!rare) rareCache.set(real, (rare = rareTypes(tokenCounts(real.pool.samples), options.rareTypeFraction)));
    return rare;
  };
  // The held-out slice perplexity is measured on, and its word count as the text's (decoded once per real set).
  const testCache = new WeakMap<RealData<SequenceSamples>, { tokens: SequenceSamples; words: number | null }>();
  const testOf = (real: RealData<SequenceSamples>) => {
    let test = testCache.get(real);
    if (!test) {
      const tokens = firstTokens(real.heldOut, options.testTokens);
      const ids = tokens.tokens.subarray(tokens.offsets[0], tokens.offsets[tokens.offsets.length - 1]);
      testCache.set(real, (test = { tokens, words: real.text ? wordCount(real.text.decode(ids)) : null }));
    }
    return test;
  };
  const fixedOf = (real: RealData<SequenceSamples>) =>
    fixedPromptIndices(real.pool.samples.offsets.length - 1, options.fixedPrompts);

  return {
    name,
    sampleKind: 'sequences',
    fit: (train, ctx) => model.fit(train, ctx),
    async sample(m, count, ctx: SampleContext<SequenceSamples>) {
      const prompts = ctx.real.pool.samples;
      const pool = prompts.offsets.length - 1;
      const indices = new Int32Array(count);
      for (let i = 0; i < count; i++) indices[i] = i % pool;
      const watermark = greenList && { list: greenList, marked: marking(ctx.generation, count) };
      return model.continue(m, {
        prompts,
        indices,
        length: options.continuationLength,
        decoding,
        rng: ctx.rng,
        watermark,
        progress: ctx.progress,
      });
    },
    async evaluate(m, ctx: EvaluateContext<SequenceSamples, M>): Promise<Metrics> {
      const test = testOf(ctx.real);
      const heldOut = test.tokens;
      const synthetic = ctx.synthetic;
      const rare = rareOf(ctx.real);
      const blockPerplexity = sequencePerplexities(
        await model.logProbabilities(ctx.generationZero, synthetic, ctx.progress),
        synthetic,
      );
      const [p05, p25, p50, p75, p95] = quantiles(blockPerplexity, [0.05, 0.25, 0.5, 0.75, 0.95]);
      const prompts = ctx.real.pool.samples;
      const fixed = fixedOf(ctx.real);
      // Shown to people as what the model writes: decoded plainly, with or without a watermark configured.
      const continued = await model.continue(m, {
        prompts,
        indices: fixed,
        length: options.continuationLength,
        decoding,
        rng: ctx.rng,
      });
      const continuations: Metrics = {};
      fixed.forEach((_, i) => {
        continuations[`continuation${i}`] = Array.from(itemTokens(continued, i));
      });
      // The detector's view of this generation's own text: watermarked and plain items apart (a model trained on
      // watermarked text learns the green bias, so its plain text drifts green too).
      const watermarkMetrics: Metrics = {};
      if (greenList) {
        const z = detectSequences(greenList, synthetic);
        const marked = marking(ctx.generation, z.length);
        watermarkMetrics.watermarkZMarked = meanWhere(z, marked, 1);
        watermarkMetrics.watermarkZPlain = meanWhere(z, marked, 0);
      }
      const testLogProbs = await model.logProbabilities(m, heldOut, ctx.progress);
      let testLogLikelihood = 0;
      for (const x of sequenceLogLikelihoods(testLogProbs, heldOut)) testLogLikelihood += x;
      return {
        testPerplexity: corpusPerplexity(testLogProbs, heldOut),
        // The same log-loss over the test text's words: one axis for word-level and BPE models.
        testPerplexityPerWord: test.words ? Math.exp(-testLogLikelihood / test.words) : null,
        syntheticPerplexityP05: p05,
        syntheticPerplexityP25: p25,
        syntheticPerplexityP50: p50,
        syntheticPerplexityP75: p75,
        syntheticPerplexityP95: p95,
        syntheticPerplexityHistogram: histogram(blockPerplexity, PERPLEXITY_EDGES),
        syntheticPerplexityEdges: PERPLEXITY_EDGES,
        vocabularyTypes: typesPresent(synthetic),
        rareTypesProduced: shareProduced(synthetic, rare),
        distinct1: distinctN(synthetic, 1),
        distinct2: distinctN(synthetic, 2),
        distinct3: distinctN(synthetic, 3),
        ...(await model.describe?.(m)),
        ...watermarkMetrics,
        continuationPrompts: fixed,
        ...continuations,
      };
    },
    // Log-likelihood of each sequence on its own: what verifier policies (filter) rank items by.
    async score(m, samples) {
      return sequenceLogLikelihoods(await model.logProbabilities(m, samples), samples);
    },
    saveModel: (m) => model.save(m),
    loadModel: (state) => model.load(state),
    dispose: model.dispose && ((m) => (model.dispose as (m: M) => Promise<void>)(m)),
    // What people read beside the model in samples/: the fixed prompts and this generation's continuations of
    // them as text (from its metrics line), and at generation 0 the tokenizer, so ids can always become text.
    async snapshot(_m, { generation, real, metrics }) {
      const codec = real.text;
      if (!codec) return {};
      const prompts = real.pool.samples;
      const fixed = (metrics.continuationPrompts as readonly number[] | undefined) ?? [];
      return {
        continuations: fixed.map((b, i) => ({
          prompt: codec.decode(itemTokens(prompts, b)),
          continuation: codec.decode((metrics[`continuation${i}`] as readonly number[] | undefined) ?? []),
        })),
        ...(generation === 0 ? { tokenizer: codec.toJSON() } : {}),
      };
    },
  };
}
