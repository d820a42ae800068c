/**
 * Family `ngram`: an interpolated modified Kneser–Ney language model of configurable order, refitted from
 * scratch each generation, as a SequenceModel under the paper's language-model protocol (families/lm/).
 */
import { z } from 'zod';
import type { Dataset } from '../../core/dataset.js';
import type { ModelFamily, ModelState } from '../../core/family.js';
import { type SequenceSamples, sequences } from '../../core/samples.js';
import { lmOptions } from '../lm/options.js';
import { createLmFamily } from '../lm/protocol.js';
import type { ContinueRequest, SequenceModel } from '../lm/sequence-model.js';
import { trainingStream } from '../lm/training-stream.js';
import { Generator } from './generate.js';
import { contextNodes, type KneserNeyModel, prepareKneserNey, probability } from './kneser-ney.js';
import { buildTables, type Level } from './tables.js';

export const ngramOptions = lmOptions('ngram', { order: z.number().int().min(1).max(8).default(3) }).refine(
  (o) => o.decoding.type !== 'sample' || o.decoding.topP === 1,
  { message: 'the ngram sampler has no top-p; use topK, or the gpt family', path: ['decoding', 'topP'] },
);
export type NgramOptions = z.infer<typeof ngramOptions>;
export type NgramModel = KneserNeyModel;

export function fitNgram(train: Dataset<SequenceSamples>, order: number): KneserNeyModel {
  const { stream, ends } = trainingStream(train);
  return prepareKneserNey(buildTables(stream, ends, order, train.samples.vocabSize));
}

/** Continuations of the requested prompts, watermarked where the request says. */
export function continueBlocks(model: KneserNeyModel, request: ContinueRequest): SequenceSamples {
  const { prompts, indices, length, decoding, rng, watermark } = request;
  const generator = new Generator(model);
  const out = new Int32Array(indices.length * length);
  for (let i = 0; i < indices.length; i++) {
    const b = indices[i];
    const list = watermark?.marked[i] ? watermark.list : undefined;
    generator.continue(
      prompts.tokens,
      prompts.offsets[b],
      prompts.offsets[b + 1],
      length,
      decoding,
      rng,
      out,
      i * length,
      list,
    );
  }
  const offsets = new Int32Array(indices.length + 1);
  for (let i = 0; i <= indices.length; i++) offsets[i] = i * length;
  return sequences(out, offsets, model.vocabSize);
}

/** ln P(token | the order − 1 tokens before it in its own sequence), for every token. */
export function tokenLogProbabilities(model: KneserNeyModel, s: SequenceSamples): Float64Array {
  const base = s.offsets[0];
  const out = new Float64Array(s.offsets[s.offsets.length - 1] - base);
  const nodes = new Int32Array(Math.max(1, model.order - 1));
  for (let q = 0; q + 1 < s.offsets.length; q++) {
    const start = s.offsets[q];
    for (let i = start; i < s.offsets[q + 1]; i++) {
      contextNodes(model, s.tokens, Math.max(start, i - model.order + 1), i, nodes);
      out[i - base] = Math.log(probability(model, nodes, s.tokens[i]));
    }
  }
  return out;
}

export function ngramSequenceModel(order: number): SequenceModel<NgramModel> {
  return {
    async fit(train, ctx) {
      ctx.progress(0, 'counting n-grams');
      const model = fitNgram(train, order);
      ctx.progress(1);
      return model;
    },
    continue: async (model, request) => continueBlocks(model, request),
    logProbabilities: async (model, s) => tokenLogProbabilities(model, s),
    describe: async (model) => ({ ngramTypes: [model.vocabSize, ...model.levels.map((l) => l.words.length)] }),
    async save(model): Promise<ModelState> {
      const arrays: Record<string, Int32Array | Float64Array> = {
        discounts: model.discounts,
        unigramCounts: model.unigramCounts,
      };
      model.levels.forEach((level, i) => {
        arrays[`words${i + 2}`] = level.words;
        arrays[`childStart${i + 2}`] = level.childStart;
        arrays[`counts${i + 2}`] = level.counts;
      });
      return { json: { family: 'ngram', order: model.order, vocabSize: model.vocabSize }, arrays };
    },
    async load(state) {
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

export function createNgramFamily(options: NgramOptions): ModelFamily<SequenceSamples, NgramModel> {
  return createLmFamily('ngram', ngramSequenceModel(options.order), options);
}
