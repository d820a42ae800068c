/** The config schema of a watermark, shared by the families that sample with one and the `isolate` policy. */
import { z } from 'zod';
import { WATERMARK_DEFAULTS } from './green-list.js';

export const watermarkSchema = z
  .object({
    /** The secret key that seeds the green lists. */
    key: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(WATERMARK_DEFAULTS.key),
    /** Share of the vocabulary that is green after any context. */
    gamma: z.number().gt(0).lt(1).default(WATERMARK_DEFAULTS.gamma),
    /** Logit bias of green tokens; capped because exact sampling rejects red draws with probability 1 − e^−δ. */
    delta: z.number().min(0).max(10).default(WATERMARK_DEFAULTS.delta),
    /** Previous tokens a green list depends on (the paper's h). */
    contextWidth: z.number().int().min(1).max(8).default(WATERMARK_DEFAULTS.contextWidth),
  })
  .strict();
export type WatermarkConfig = z.infer<typeof watermarkSchema>;
