/**
 * Family `gpt`: a decoder-only transformer (model.ts, net.ts) under the paper's language-model protocol: every
 * generation fine-tunes the same pretrained base on the previous generation's 64-token continuations of the
 * real 64-token blocks, as the paper does with OPT-125m. Tokens: the lab's byte-level BPE (4,096 types).
 */
import { defineFamily } from '../definition.js';
import { gptFigures } from './figures.js';
import { createGptFamily } from './model.js';
import { gptOptions } from './options.js';

const bpe = { type: 'wikitext', tokenizer: { type: 'bpe', vocabSize: 4096 } };
const beam = { type: 'beam', width: 5, repetitionPenalty: 3 };

/** WikiText-2's whole training stream in 64-token BPE blocks (3,045,379 tokens of wikitext-2-v1). */
const ALL_BLOCKS = 47_584;

const paper = {
  name: 'gpt-paper',
  generations: 10,
  samplesPerGeneration: ALL_BLOCKS,
  family: { type: 'gpt', layers: 4, decoding: beam, base: { epochs: 3 }, epochs: 5 },
  real: bpe,
  // A snapshot holds the weights as JSON numbers (~17 MB for the 0.9M-parameter model): the first, middle and last.
  snapshotGenerations: [0, 5, 9],
};

const quick = {
  name: 'gpt-quick',
  generations: 4,
  samplesPerGeneration: 600,
  family: { type: 'gpt', epochs: 2, base: { epochs: 6 }, testTokens: 8192, validationFraction: 0.05 },
  real: bpe,
  snapshotGenerations: [0, 3],
};

export const gptFamily = defineFamily({
  name: 'gpt',
  description:
    "a decoder-only transformer LM on the engine, fine-tuned from a pretrained base each generation (the paper's OPT protocol)",
  sampleKind: 'sequences',
  options: gptOptions,
  create: createGptFamily,
  // Measured: a gpt-quick generation takes ~20 s for 600 blocks (~30 ms a block), ~200x an n-gram's per block.
  weight: 400_000,
  diversity: 'distinct2',
  figures: gptFigures,
  paths: ['base.corpus'],
  presets: {
    'gpt-quick': {
      description:
        'A 0.9M-parameter GPT (BPE 4,096, 2 layers of width 128) on the first 600 blocks of WikiText-2: base pretrained once (cached), each of generations 0..3 fine-tuned from it for 2 epochs on the previous generation’s sampled continuations; test perplexity on 8,192 test tokens.',
      config: quick,
    },
    'gpt-accumulate': {
      description: 'gpt-paper under accumulate: the real blocks and every generation’s continuations so far.',
      config: { ...paper, name: 'gpt-accumulate', policy: { type: 'accumulate' } },
    },
    'gpt-mix10': {
      description:
        "gpt-paper with 10% of the real blocks kept (a fresh random 10% each generation, the paper's text) and 10 epochs a generation, as the paper's second setting.",
      config: {
        ...paper,
        name: 'gpt-mix10',
        policy: { type: 'mix', realFraction: 0.1 },
        family: { ...paper.family, epochs: 10 },
      },
    },
    'gpt-paper': {
      description:
        "The paper's protocol on all of WikiText-2 (47,584 BPE blocks of 64 tokens): a 1.3M-parameter GPT (4 layers of width 128) pretrained once, then fine-tuned from that base for 5 epochs a generation on the previous generation's beam-search continuations (5 beams, exactly 64 new tokens, repetition penalty 3.0), generations 0..9.",
      config: paper,
    },
  },
});
