/** Family `ngram`: a Kneser–Ney n-gram language model (model.ts) under the paper's language-model protocol. */
import { defineFamily } from '../definition.js';
import { lmFigures } from '../lm/figures.js';
import { lmWatermark } from '../lm/options.js';
import { createNgramFamily, type NgramOptions, ngramOptions } from './model.js';

const everyGeneration = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

export const ngramFamily = defineFamily({
  name: 'ngram',
  description: "an interpolated Kneser–Ney n-gram LM continuing real 64-token prompts (the paper's LM protocol)",
  sampleKind: 'sequences',
  options: ngramOptions,
  create: createNgramFamily,
  // Measured: an n-gram generation costs ~2,000 Gaussian ones per sample.
  weight: 2000,
  diversity: 'distinct2',
  figures: lmFigures,
  watermark: (options: NgramOptions) => lmWatermark(options),
  presets: {
    ngram: {
      description:
        "The paper's language-model protocol with a Kneser–Ney trigram: WikiText-2's 32,634 training blocks of 64 tokens, each generation trained on the previous one's 64-token continuations of every block (ancestral sampling). Generations 0..9.",
      config: {
        name: 'ngram',
        generations: 10,
        samplesPerGeneration: 32_634,
        family: { type: 'ngram', order: 3 },
        real: { type: 'wikitext' },
        snapshotGenerations: everyGeneration,
      },
    },
    'ngram-beam': {
      description:
        "As 'ngram' with the paper's decoding: beam search with 5 beams, exactly 64 new tokens and repetition penalty 3.0 (about a minute per generation).",
      config: {
        name: 'ngram-beam',
        generations: 10,
        samplesPerGeneration: 32_634,
        family: { type: 'ngram', order: 3, decoding: { type: 'beam', width: 5, repetitionPenalty: 3 } },
        real: { type: 'wikitext' },
        snapshotGenerations: everyGeneration,
      },
    },
    'ngram-quick': {
      description: "As 'ngram' on the first 2,000 blocks (128,000 tokens) of WikiText-2, generations 0..4.",
      config: {
        name: 'ngram-quick',
        generations: 5,
        samplesPerGeneration: 2000,
        family: { type: 'ngram', order: 3 },
        real: { type: 'wikitext' },
        snapshotGenerations: [0, 1, 2, 3, 4],
      },
    },
  },
});
