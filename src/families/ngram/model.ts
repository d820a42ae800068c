/**
 * Family `ngram`: an interpolated modified Kneser–Ney language model of configurable order, refitted from
 * scratch each generation, used with the paper's language-model protocol: the real training stream is cut into
 * blocks, and a generation's synthetic set is the model's continuation of every real block given that block as
 * its prompt (synthetic item i continues real block i mod the pool size), so it has the real set's size.
 */
import { z } from 'zod';
import { type Dataset, REAL } from '../../core/dataset.js';
import type { EvaluateContext, Metrics, ModelFamily, ModelState, SampleContext } from '../../core/family.js';
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
import { detectSequences } from '../../watermark/detector.js';
import { GreenList } from '../../watermark/green-list.js';
import { watermarkSchema } from '../../watermark/schema.js';
import { watermarkedItems } from '../../watermark/share.js';
import { type Decoding, Generator } from './generate.js';
import { type KneserNeyModel, logLikelihood, perplexity, prepareKneserNey } from './kneser-ney.js';
import { buildTables, type Level } from './tables.js';

const decodingSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('sample'),
      temperature: z.number().positive().default(1),
      /** 0: the whole vocabulary. */
      topK: z.number().int().min(0).default(0),
    })
    .strict(),
  z.object({ type: z.literal('greedy') }).strict(),
  z
    .object({
      type: z.literal('beam'),
      width: z.number().int().min(1).default(5),
      /** Hugging Face's repetition_penalty: a repeated token's log-probability is multiplied by it. */
      repetitionPenalty: z.number().min(1).default(3),
    })
    .strict(),
]);

export const ngramOptions = z
  .object({
    type: z.literal('ngram'),
    order: z.number().int().min(1).max(8).default(3),
    decoding: decodingSchema.default({ type: 'sample', temperature: 1, topK: 0 }),
    /** New tokens per continuation (the paper: exactly 64). */
    continuationLength: z.number().int().min(1).default(64),
    /** Real blocks whose continuations are recorded every generation, spread evenly over the pool. */
    fixedPrompts: z.number().int().min(0).max(16).default(3),
    /** The real data's rare types: this share of its types, the least frequent. */
    rareTypeFraction: z.number().gt(0).lt(1).default(0.1),
    /** Sample with the green-list watermark of Kirchenbauer et al. 2023 (sample and greedy decoding). */
    watermark: watermarkSchema.optional(),
    /** Share of the synthetic items whose generator watermarks (default 1); the rest are sampled plainly. */
    watermarkShare: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((o) => !(o.watermark && o.decoding.type === 'beam'), {
    message: 'watermarked sampling supports decoding sample and greedy, not beam',
    path: ['watermark'],
  })
  .refine((o) => o.watermarkShare === undefined || o.watermark, {
    message: 'watermarkShare needs a watermark to share; set family.watermark',
    path: ['watermarkShare'],
  });
export type NgramOptions = z.infer<typeof ngramOptions>;
export type NgramModel = KneserNeyModel;

/** Per-block perplexities are binned on a log scale, 2^(k/2) for k = 0..40, the same edges every generation. */
export const PERPLEXITY_EDGES: readonly number[] = Array.from({ length: 41 }, (_, k) => 2 ** (k / 2));

/** A training set as one stream with segment ends: consecutive real blocks are one text; anything else is cut. */
export function trainingStream(train: Dataset<SequenceSamples>): { stream: Int32Array; ends: Int32Array } {
  const { tokens, offsets } = train.samples;
  const n = offsets.length - 1;
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    const continues =
      i + 1 < n &&
      train.origin[i] === REAL &&
      train.origin[i + 1] === REAL &&
      train.index[i + 1] === train.index[i] + 1;
    if (!continues) ends.push(offsets[i + 1] - offsets[0]);
  }
  return { stream: tokens.subarray(offsets[0], offsets[n]), ends: Int32Array.from(ends) };
}

export function fitNgram(train: Dataset<SequenceSamples>, order: number): KneserNeyModel {
  const { stream, ends } = trainingStream(train);
  return prepareKneserNey(buildTables(stream, ends, order, train.samples.vocabSize));
}

/** Which continuations are watermarked, and with which green lists. */
export interface ContinuationWatermark {
  readonly list: GreenList;
  /** marked[i] = 1: continuation i is watermarked. */
  readonly marked: Uint8Array;
}

/** Continuations of the prompts at `indices` (block numbers of `prompts`), watermarked where `watermark` says. */
export function continueBlocks(
  model: KneserNeyModel,
  prompts: SequenceSamples,
  indices: ArrayLike<number>,
  length: number,
  decoding: Decoding,
  rng: import('../../core/rng.js').Rng,
  watermark?: ContinuationWatermark,
): SequenceSamples {
  const generator = new Generator(model);
  const out = new Int32Array(indices.length * length);
  for (let i = 0; i < indices.length; i++) {
    const b = indices[i];
    generator.continue(
      prompts.tokens,
      prompts.offsets[b],
      prompts.offsets[b + 1],
      length,
      decoding,
      rng,
      out,
      i * length,
      watermark?.marked[i] ? watermark.list : undefined,
    );
  }
  const offsets = new Int32Array(indices.length + 1);
  for (let i = 0; i <= indices.length; i++) offsets[i] = i * length;
  return sequences(out, offsets, model.vocabSize);
}

/** Perplexity of each sequence on its own (contexts restart at its first token). */
export function sequencePerplexities(model: KneserNeyModel, s: SequenceSamples): Float64Array {
  const n = s.offsets.length - 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = s.offsets[i];
    const b = s.offsets[i + 1];
    out[i] = b > a ? Math.exp(-logLikelihood(model, s.tokens, a, a, b) / (b - a)) : Number.NaN;
  }
  return out;
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

export function createNgramFamily(options: NgramOptions): ModelFamily<SequenceSamples, NgramModel> {
  const decoding = options.decoding as Decoding;
  const greenList = options.watermark && new GreenList(options.watermark);
  const share = options.watermarkShare ?? 1;
  // The generation's watermarked items: a function of the key and the generation (watermark/share.ts).
  const marking = (generation: number, count: number) =>
    options.watermark ? watermarkedItems(options.watermark.key, generation, count, share) : new Uint8Array(count);
  const rareCache = new WeakMap<RealData<SequenceSamples>, Int32Array>();
  // What saveModel adds for people: the fixed prompts' continuations as text (so snapshots show them beside the
  // model) and, for generation 0, the tokenizer itself, so a run folder can always turn its ids back into text.
  const texts = new WeakMap<
    NgramModel,
    { continuations: { prompt: string; continuation: string }[]; tokenizer?: unknown }
  >();
  return {
    name: 'ngram',
    sampleKind: 'sequences',
    async fit(train, ctx) {
      ctx.progress(0, 'counting n-grams');
      const model = fitNgram(train, options.order);
      ctx.progress(1);
      return model;
    },
    async sample(model, count, ctx: SampleContext<SequenceSamples>) {
      const prompts = ctx.real.pool.samples;
      const pool = prompts.offsets.length - 1;
      const indices = new Int32Array(count);
      for (let i = 0; i < count; i++) indices[i] = i % pool;
      const watermark = greenList && { list: greenList, marked: marking(ctx.generation, count) };
      return continueBlocks(model, prompts, indices, options.continuationLength, decoding, ctx.rng, watermark);
    },
    async evaluate(model, ctx: EvaluateContext<SequenceSamples, NgramModel>): Promise<Metrics> {
      const { heldOut } = ctx.real;
      const synthetic = ctx.synthetic;
      let rare = rareCache.get(ctx.real);
      if (!rare)
        rareCache.set(ctx.real, (rare = rareTypes(tokenCounts(ctx.real.pool.samples), options.rareTypeFraction)));
      const blockPerplexity = sequencePerplexities(ctx.generationZero, synthetic);
      const [p05, p25, p50, p75, p95] = quantiles(blockPerplexity, [0.05, 0.25, 0.5, 0.75, 0.95]);
      const prompts = ctx.real.pool.samples;
      const fixed = fixedPromptIndices(prompts.offsets.length - 1, options.fixedPrompts);
      // Shown to people as what the model writes: sampled plainly, with or without a watermark configured.
      const continued = continueBlocks(model, prompts, fixed, options.continuationLength, decoding, ctx.rng);
      const continuations: Metrics = {};
      fixed.forEach((_, i) => {
        continuations[`continuation${i}`] = Array.from(
          continued.tokens.subarray(continued.offsets[i], continued.offsets[i + 1]),
        );
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
      const codec = ctx.real.text;
      if (codec) {
        texts.set(model, {
          continuations: fixed.map((b, i) => ({
            prompt: codec.decode(prompts.tokens.subarray(prompts.offsets[b], prompts.offsets[b + 1])),
            continuation: codec.decode(continued.tokens.subarray(continued.offsets[i], continued.offsets[i + 1])),
          })),
          ...(ctx.generation === 0 ? { tokenizer: codec.toJSON() } : {}),
        });
      }
      return {
        testPerplexity: perplexity(model, heldOut.tokens, heldOut.offsets),
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
        ngramTypes: [model.vocabSize, ...model.levels.map((l) => l.words.length)],
        ...watermarkMetrics,
        continuationPrompts: fixed,
        ...continuations,
      };
    },
    // Log-likelihood of each sequence on its own: what verifier policies (filter) rank items by.
    async score(model, samples) {
      const n = samples.offsets.length - 1;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = logLikelihood(model, samples.tokens, samples.offsets[i], samples.offsets[i], samples.offsets[i + 1]);
      }
      return out;
    },
    async saveModel(model): Promise<ModelState> {
      const arrays: Record<string, Int32Array | Float64Array> = {
        discounts: model.discounts,
        unigramCounts: model.unigramCounts,
      };
      model.levels.forEach((level, i) => {
        arrays[`words${i + 2}`] = level.words;
        arrays[`childStart${i + 2}`] = level.childStart;
        arrays[`counts${i + 2}`] = level.counts;
      });
      return {
        json: { family: 'ngram', order: model.order, vocabSize: model.vocabSize, ...texts.get(model) },
        arrays,
      };
    },
    async loadModel(state) {
      const json = state.json as { order: number; vocabSize: number };
      const a = state.arrays as Record<string, Int32Array & Float64Array>;
      const levels: Level[] = [];
      for (let n = 2; n <= json.order; n++) {
        levels.push({ words: a[`words${n}`], childStart: a[`childStart${n}`], counts: a[`counts${n}`] });
      }
      return prepareKneserNey(
        { order: json.order, vocabSize: json.vocabSize, unigramCounts: a.unigramCounts, levels },
        a.discounts,
      );
    },
  };
}
