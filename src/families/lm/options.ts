/**
 * The protocol's options, shared by every language-model family: how continuations are decoded, how long they
 * are, what is recorded for people, and the watermark. A family adds its own fields (the n-gram's order, a
 * transformer's width) with `lmOptions`.
 */
import { z } from 'zod';
import { watermarkSchema } from '../../watermark/schema.js';

export const decodingSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('sample'),
      temperature: z.number().positive().default(1),
      /** 0: the whole vocabulary. */
      topK: z.number().int().min(0).default(0),
      /** Nucleus sampling (Holtzman et al. 2020): keep the smallest most-likely set with this much probability. */
      topP: z.number().gt(0).max(1).default(1),
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

const protocolFields = {
  decoding: decodingSchema.default({ type: 'sample', temperature: 1, topK: 0, topP: 1 }),
  /** New tokens per continuation (the paper: exactly 64). */
  continuationLength: z.number().int().min(1).default(64),
  /** Real blocks whose continuations are recorded every generation, spread evenly over the pool. */
  fixedPrompts: z.number().int().min(0).max(16).default(3),
  /** The real data's rare types: this share of its types, the least frequent. */
  rareTypeFraction: z.number().gt(0).lt(1).default(0.1),
  /** Sample with the green-list watermark of Kirchenbauer et al. 2023 (sample and greedy decoding). */
  watermark: watermarkSchema.optional(),
  /**
   * Test perplexity on the first this many tokens of the held-out split (0: all of it); a transformer reads
   * every token through the whole network, so quick settings measure on a slice.
   */
  testTokens: z.number().int().min(0).default(0),
  /** Share of the synthetic items whose generator watermarks (default 1); the rest are sampled plainly. */
  watermarkShare: z.number().min(0).max(1).optional(),
};

export type LmProtocolOptions = z.infer<z.ZodObject<typeof protocolFields>>;

/** A language-model family's options: its `type`, its own fields, then the protocol's. */
export function lmOptions<Name extends string, Shape extends z.ZodRawShape>(name: Name, own: Shape) {
  return z
    .object({ type: z.literal(name), ...own, ...protocolFields })
    .strict()
    .refine((o) => !((o as LmProtocolOptions).watermark && (o as LmProtocolOptions).decoding.type === 'beam'), {
      message: 'watermarked sampling supports decoding sample and greedy, not beam',
      path: ['watermark'],
    })
    .refine((o) => (o as LmProtocolOptions).watermarkShare === undefined || (o as LmProtocolOptions).watermark, {
      message: 'watermarkShare needs a watermark to share; set family.watermark',
      path: ['watermarkShare'],
    });
}

/** The watermark `isolate` detects by default: the family's, with the share of generators that embed it. */
export function lmWatermark(options: LmProtocolOptions) {
  return options.watermark && { ...options.watermark, watermarkShare: options.watermarkShare ?? 1 };
}
