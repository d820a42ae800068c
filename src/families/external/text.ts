/**
 * Family `external` for text: the user's trainer as a SequenceModel, so the lm room's protocol (prompts,
 * decoding, test perplexity, the per-block perplexity histogram, rare types, distinct-n) measures it exactly as
 * it measures the built-in language models. Token ids are the lab's; `hello` names the vocabulary file that
 * turns them into strings, for trainers with their own tokenizer.
 */
import fs from 'node:fs';
import type { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import type { ModelFamily, OpenContext } from '../../core/family.js';
import { type SequenceSamples, sequences } from '../../core/samples.js';
import { lmOptions } from '../lm/options.js';
import { createLmFamily } from '../lm/protocol.js';
import type { SequenceModel } from '../lm/sequence-model.js';
import { assertValues, readArray, writeArray } from './bulk-files.js';
import { assertRunnable } from './command-check.js';
import { trainerFields } from './options.js';
import { type ExternalModel, Trainer } from './trainer.js';
import { fitModel, trainerMetrics } from './verbs.js';

export const externalTextOptions = lmOptions('external', trainerFields);
export type ExternalTextOptions = z.infer<typeof externalTextOptions>;

/** Sequences as two files (tokens; offsets from 0) and their description in a request. */
function sequenceFiles(trainer: Trainer, name: string, s: SequenceSamples) {
  const base = s.offsets[0];
  const offsets = s.offsets.map((o) => o - base);
  const count = s.offsets.length - 1;
  return {
    tokens: writeArray(trainer.ioFile(`${name}.tokens.i32`), s.tokens.subarray(base, s.offsets[count])),
    offsets: writeArray(trainer.ioFile(`${name}.offsets.i32`), offsets),
    count,
    vocabSize: s.vocabSize,
  };
}

export function externalSequenceModel(trainer: Trainer, options: ExternalTextOptions): SequenceModel<ExternalModel> {
  return {
    fit: (train, ctx) => fitModel(trainer, options, ctx, sequenceFiles(trainer, 'train', train.samples)),

    async continue(model, request) {
      const { prompts, indices, length, decoding } = request;
      const seed = request.rng.nextUint32();
      const gathered: number[] = [];
      const offsets = new Int32Array(indices.length + 1);
      for (let i = 0; i < indices.length; i++) {
        const b = indices[i];
        for (let t = prompts.offsets[b]; t < prompts.offsets[b + 1]; t++) gathered.push(prompts.tokens[t]);
        offsets[i + 1] = gathered.length;
      }
      const asked = sequences(Int32Array.from(gathered), offsets, prompts.vocabSize);
      const tokens = await trainer.run([model], async (send) => {
        const out = trainer.ioFile('generated.tokens.i32');
        fs.rmSync(out, { force: true });
        await send('generate', {
          model: model.id,
          prompts: sequenceFiles(trainer, 'prompts', asked),
          length,
          decoding,
          seed,
          out: { tokens: out },
        });
        const made = readArray(out, 'int32', indices.length * length);
        assertValues(made, 'generated token', 0, prompts.vocabSize - 1);
        return made;
      });
      const outOffsets = Int32Array.from({ length: indices.length + 1 }, (_, i) => i * length);
      return sequences(tokens, outOffsets, prompts.vocabSize);
    },

    async logProbabilities(model, s) {
      const total = s.offsets[s.offsets.length - 1] - s.offsets[0];
      return trainer.run([model], async (send) => {
        const out = trainer.ioFile('scores.f64');
        fs.rmSync(out, { force: true });
        await send('score', { model: model.id, items: sequenceFiles(trainer, 'scored', s), per: 'token', out });
        const logProbs = readArray(out, 'float64', total);
        assertValues(logProbs, 'token log-probability', -Infinity, 1e-6);
        return logProbs;
      });
    },

    describe: async (model) => trainerMetrics(model),
    save: async (model) => trainer.state(model),
    load: async (state) => trainer.restore(state, 'restored'),
    dispose: (model) => trainer.release(model),
  };
}

/** The vocabulary as strings, one per token id, for trainers with their own tokenizer (hello's `vocabulary`). */
function vocabularyFile(trainer: Trainer, ctx: OpenContext<SequenceSamples>): Record<string, unknown> {
  const vocabSize = ctx.real.pool.samples.vocabSize;
  const codec = ctx.real.text;
  if (!codec) return { vocabSize };
  const words = Array.from({ length: vocabSize }, (_, id) => codec.decode([id]));
  const file = trainer.ioFile('vocabulary.json');
  fs.writeFileSync(file, JSON.stringify(words));
  return { vocabSize, vocabulary: file };
}

export function createExternalTextFamily(options: ExternalTextOptions): ModelFamily<SequenceSamples, ExternalModel> {
  if (options.watermark)
    throw new UsageError(
      "family.watermark: the external family does not watermark (its trainer decodes); remove 'watermark', or use family 'ngram'",
    );
  assertRunnable(options);
  const trainer = new Trainer(options, 'text', options.decoding.type);
  const family = createLmFamily('external', externalSequenceModel(trainer, options), options);
  return {
    ...family,
    open: (ctx) => trainer.open(ctx.scratch, ctx.runDir, () => vocabularyFile(trainer, ctx), ctx.signal),
    close: () => trainer.close(),
  };
}
