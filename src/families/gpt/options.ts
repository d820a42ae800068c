/**
 * The `gpt` family's config section: the network's shape, how each generation starts (the paper fine-tunes the
 * same pretrained base every generation), and training; the protocol's fields (decoding, continuation length)
 * come from lmOptions. Defaults fit a 2-core CPU: a 0.9M-parameter model at ~10,000 training tokens/s.
 */
import { z } from 'zod';
import { lmOptions } from '../lm/options.js';

const trainingFields = {
  epochs: z.number().int().min(1),
  batchSize: z.number().int().min(1).max(4096).default(16),
  learningRate: z.number().positive(),
  /** AdamW's decoupled weight decay. */
  weightDecay: z.number().min(0).default(0.01),
  /** Share of the steps with a linearly rising learning rate before the cosine decay. */
  warmup: z.number().min(0).max(1).default(0.05),
  /** The cosine ends at this share of the learning rate. */
  minLearningRate: z.number().min(0).max(1).default(0.1),
  /** Global gradient-norm clip (0: none); Hugging Face's max_grad_norm is 1. */
  gradientClip: z.number().min(0).default(1),
};

export const baseSchema = z
  .object({
    ...trainingFields,
    epochs: trainingFields.epochs.default(4),
    learningRate: trainingFields.learningRate.default(1e-3),
    /**
     * A UTF-8 text file to pretrain the base on, in place of generation 0's training stream (the paper's
     * base, OPT, was pretrained on other text than WikiText-2). It is read with the run's tokenizer, built on
     * the real data: a word-level tokenizer maps words it lacks to <unk>, byte-level BPE reads any text.
     */
    corpus: z.string().min(1).optional(),
  })
  .strict();

export const gptOptions = lmOptions('gpt', {
  dModel: z.number().int().min(2).max(4096).default(128),
  layers: z.number().int().min(1).max(64).default(2),
  heads: z.number().int().min(1).max(64).default(4),
  /** Positions the network reads: a 64-token prompt and 64 new tokens fit in 128 (prompts are cut to fit). */
  context: z.number().int().min(2).max(8192).default(128),
  /** 'learned' (GPT-2, OPT) or 'rotary' (RoPE: relative, no position parameters). */
  positions: z.enum(['learned', 'rotary']).default('learned'),
  /**
   * How each generation's model starts: 'base' (the paper: fine-tune the same pretrained model every
   * generation), 'scratch' (fresh random weights) or 'previous' (continue the previous generation's model;
   * generation 0 starts from the base). Under 'scratch' learned positions past the training blocks are never
   * trained: use rotary positions with it.
   */
  init: z.enum(['base', 'scratch', 'previous']).default('base'),
  /**
   * The base model, pretrained once on generation 0's training stream (the real pool, consecutive blocks read as
   * one text in windows of `context` tokens) or on `base.corpus`, and cached by the checksum of those tokens and
   * these settings.
   */
  base: baseSchema.prefault({}),
  /** Epochs per generation (the paper: 5 with no real data, 10 with 10% kept). */
  epochs: trainingFields.epochs.default(5),
  batchSize: trainingFields.batchSize,
  learningRate: trainingFields.learningRate.default(5e-4),
  weightDecay: trainingFields.weightDecay,
  warmup: trainingFields.warmup,
  minLearningRate: trainingFields.minLearningRate,
  gradientClip: trainingFields.gradientClip,
  /** Share of a generation's training blocks held out to pick the best epoch (0: keep the last epoch). */
  validationFraction: z.number().min(0).max(0.5).default(0.05),
  /** Prompts decoded together (beam search: each with its beams). */
  decodeBatch: z.number().int().min(1).max(4096).default(64),
  /** The engine backend ('auto': native, else WebAssembly, else TypeScript). */
  backend: z.enum(['auto', 'native', 'wasm', 'js']).default('auto'),
})
  .refine((o) => o.dModel % o.heads === 0, {
    message: 'dModel must be a multiple of heads (each head gets dModel / heads channels); change dModel or heads',
    path: ['heads'],
  })
  .refine((o) => o.positions !== 'rotary' || (o.dModel / o.heads) % 2 === 0, {
    message: 'rotary positions rotate channel pairs: dModel / heads must be even',
    path: ['positions'],
  })
  .refine((o) => o.continuationLength < o.context, {
    message: 'continuationLength must be below context (the start token and the new tokens must fit)',
    path: ['context'],
  });

export type GptOptions = z.infer<typeof gptOptions>;
export type BaseSettings = z.infer<typeof baseSchema>;
