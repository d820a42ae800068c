/**
 * Config schemas of the mitigation policies, kept beside them as the families keep theirs; experiments/config.ts
 * puts them in its policy union. A user's own verifier function goes through the library API, not a config.
 */
import { z } from 'zod';
import { watermarkSchema } from '../watermark/schema.js';
import { DEFAULT_STEP } from './verify/spread.js';
import { VERIFIER_NAMES } from './verify/verifiers.js';

const share = z.number().min(0).max(1);
const count = z.number().int().min(0);

export const webOptions = z
  .object({
    type: z.literal('web'),
    /** Human items on the web before generation 1; default: the whole real pool (see realSize). */
    stock: count.optional(),
    /** Items each generation publishes; default: all it made. */
    publish: count.optional(),
    /** Items scraped per generation; default: samplesPerGeneration. */
    scrape: z.number().int().min(1).optional(),
    /** Keep training on the pre-contamination scrape ("first-mover advantage"). */
    snapshot: z.boolean().default(false),
  })
  .strict();

export const selectionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('top'), fraction: z.number().gt(0).max(1).default(0.5) }).strict(),
  z
    .object({ type: z.literal('band'), dropUnlikely: share.default(0.01), dropLikely: share.default(0.05) })
    .strict()
    .refine((b) => b.dropUnlikely + b.dropLikely < 1, {
      message: 'dropUnlikely + dropLikely must be below 1, or nothing is kept',
    }),
  z.object({ type: z.literal('importance') }).strict(),
]);

/**
 * The feedback controller. `spread` (the default) matches the model's width to held-out real data's, location left
 * out; `pi-v1` is the first controller, a PI rule on the calibration gap (docs/feedback-controller.md). A config that
 * names `gain` or `integral` and no controller means pi-v1, as it did before spread existed; naming them beside
 * `controller: spread` is an error.
 */
export const feedbackSchema = z
  .object({
    controller: z.enum(['spread', 'pi-v1']).optional(),
    /** spread: share of the measured log-width error corrected per generation. */
    step: z.number().gt(0).max(1).optional(),
    /** pi-v1: proportional gain, setting change per nat of calibration gap (default 1). */
    gain: z.number().min(0).optional(),
    /** pi-v1: integral gain, change of the accumulated correction per nat of gap, per generation (default 0.05). */
    integral: z.number().min(0).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const pi =
      f.controller === 'pi-v1' || (f.controller === undefined && (f.gain !== undefined || f.integral !== undefined));
    const wrong = pi ? (['step'] as const) : (['gain', 'integral'] as const);
    for (const key of wrong)
      if (f[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: pi
            ? `step belongs to controller 'spread'; pi-v1 takes gain and integral (remove step, or set controller: spread)`
            : `${key} belongs to controller 'pi-v1'; spread takes step in (0, 1] (remove ${key}, or set controller: pi-v1)`,
        });
  })
  .transform((f) =>
    f.controller === 'pi-v1' || (f.controller === undefined && (f.gain !== undefined || f.integral !== undefined))
      ? { controller: 'pi-v1' as const, gain: f.gain ?? 1, integral: f.integral ?? 0.05 }
      : { controller: 'spread' as const, step: f.step ?? DEFAULT_STEP },
  );

/** The weak labeller (verifier 'weak-labels', verify/weak-labels.ts): right with probability ½ + beta. */
export const weakLabelSchema = z
  .object({
    /** The labeller's edge over a coin: right with probability ½ + beta. */
    beta: z.number().min(0).max(0.5),
    /** Share of the candidates labelled each generation, the highest-loss ones first. */
    budget: z.number().gt(0).max(1).default(0.2),
  })
  .strict();

/** `filter` over candidates from `source`, one of the non-filter policies. */
export function filterOptions<T extends z.ZodType<{ type: string }>>(source: T) {
  return z
    .object({
      type: z.literal('filter'),
      verifier: z.enum([...VERIFIER_NAMES, 'weak-labels']).default('generation-zero'),
      selection: selectionSchema.default({ type: 'band', dropUnlikely: 0.01, dropLikely: 0.05 }),
      feedback: feedbackSchema.optional(),
      labels: weakLabelSchema.optional(),
      source: source.optional(),
    })
    .strict()
    .refine((f) => !(f.feedback && f.selection.type === 'importance'), {
      message: 'feedback adjusts a top fraction or a band; importance resampling has no setting to adjust',
      path: ['feedback'],
    })
    .refine((f) => (f.verifier === 'weak-labels') === (f.labels !== undefined), {
      message:
        "verifier 'weak-labels' needs labels: { beta, budget }, and labels belong to it alone (set both, or neither)",
      path: ['labels'],
    })
    .refine((f) => !(f.verifier === 'weak-labels' && f.feedback), {
      message: "verifier 'weak-labels' takes no feedback: remove feedback, or choose another verifier",
      path: ['feedback'],
    })
    .refine((f) => !(f.feedback?.controller === 'spread' && f.verifier !== 'quality'), {
      message: `controller 'spread' reads the band off the previous model's own score: set verifier: quality, or feedback: { controller: pi-v1 }`,
      path: ['feedback', 'controller'],
    });
}

/**
 * `isolate` over candidates from `source` (default accumulate). `watermark` is the detector's key, γ and context
 * width (and the share of generators that watermark, for its precision and recall): parseExperimentConfig fills
 * it in from the family's watermark when the config leaves it out.
 */
export function isolateOptions<T extends z.ZodType<{ type: string }>>(source: T) {
  return z
    .object({
      type: z.literal('isolate'),
      /** Items with a detector z-score at or above this are dropped as AI text. */
      threshold: z.number().finite().default(4),
      source: source.optional(),
      watermark: watermarkSchema.extend({ watermarkShare: share.default(1) }).optional(),
    })
    .strict();
}
