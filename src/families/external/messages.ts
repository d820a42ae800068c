/**
 * The external-trainer protocol's messages (docs/external-protocol.md), as zod schemas: every line a trainer
 * writes on stdout is parsed here, so a malformed or unexpected line is an error naming what was wrong.
 */
import { z } from 'zod';

/** The protocol version this lab speaks; a trainer answering `hello` with another one is refused. */
export const PROTOCOL_VERSION = 1;

export const VERBS = ['hello', 'fit', 'save', 'load', 'release', 'generate', 'score', 'shutdown'] as const;
export type Verb = (typeof VERBS)[number];

/** Numbers a trainer reports about a fit (its loss, its own perplexity): added to the metrics line. */
const trainerMetrics = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), z.number().nullable());

export const progressEvent = z
  .object({
    event: z.literal('progress'),
    id: z.number().int(),
    phase: z.string().max(200).optional(),
    fraction: z.number().min(0).max(1),
    tokensPerSecond: z.number().nonnegative().optional(),
    message: z.string().max(500).optional(),
  })
  .strict();

const failure = z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }).strict();
const success = z.object({ id: z.number().int(), ok: z.literal(true) }).passthrough();

/** Any line from the trainer: a progress event or the answer to the request in flight. */
export const trainerLine = z.union([progressEvent, failure, success]);
export type TrainerLine = z.infer<typeof trainerLine>;

/** What each verb's successful answer carries beyond `{ id, ok: true }`. */
export const replies = {
  hello: z
    .object({
      protocol: z.number().int(),
      name: z.string().max(200).optional(),
      capabilities: z
        .object({
          kinds: z.array(z.enum(['text', 'vectors', 'images'])).min(1),
          inits: z.array(z.enum(['scratch', 'base', 'previous'])).min(1),
          decodings: z.array(z.enum(['sample', 'greedy', 'beam'])).optional(),
        })
        .passthrough(),
    })
    .passthrough(),
  fit: z.object({ metrics: trainerMetrics.optional() }).passthrough(),
  save: z.object({}).passthrough(),
  load: z.object({}).passthrough(),
  release: z.object({}).passthrough(),
  generate: z.object({}).passthrough(),
  score: z.object({}).passthrough(),
  shutdown: z.object({}).passthrough(),
} satisfies Record<Verb, z.ZodType>;

export type Reply<V extends Verb> = z.infer<(typeof replies)[V]>;
export type HelloReply = Reply<'hello'>;
