/**
 * The shape of every file in a run folder, as zod schemas. A run folder is untrusted input (it travels between
 * machines, in sweeps and shared folders), so the run store parses each file through its schema and a file
 * that does not fit is a DamagedFileError naming the file and the field, never a TypeError further on.
 *
 * The schemas are lenient where the lab itself is (config.json is checked in full by the experiment schema
 * when a run resumes; metrics lines carry whatever the family measured) and strict where a value is used as a
 * path: checkpoint file names are exactly the names the writer makes, so no `..`, no '/', no absolute path.
 */
import { z } from 'zod';
import { DamagedFileError } from './errors.js';

const generation = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** config.json, as far as readers other than resume (which applies the full experiment schema) rely on it. */
export const runConfigSchema = z
  .object({
    name: z.string(),
    seed: z.number(),
    generations: z.number().int().min(1),
    samplesPerGeneration: z.number().int().min(1).optional(),
    realSize: z.number().int().min(1).optional(),
    family: z.object({ type: z.string() }).catchall(z.unknown()),
    policy: z.object({ type: z.string(), realFraction: z.number().optional() }).catchall(z.unknown()),
    real: z.object({ type: z.string() }).catchall(z.unknown()).optional(),
    snapshotGenerations: z.array(generation).optional(),
  })
  .catchall(z.unknown());

/** Checkpoint files are named by the writer alone (loop.ts); nothing else is ever accepted as one. */
export const MODEL_FILE = /^model-g(\d+)\.bin$/;
export const SYNTHETIC_FILE = /^synthetic-g(\d+)\.bin$/;

const checkpointSchema = z.object({
  generation,
  model: z.string().regex(MODEL_FILE, 'must be a file name like model-g12.bin'),
  generationZeroModel: z.string().regex(MODEL_FILE, 'must be a file name like model-g0.bin'),
  synthetic: z.record(
    z.string().regex(/^\d+$/, 'keys must be generation numbers'),
    z.string().regex(SYNTHETIC_FILE, 'must be a file name like synthetic-g12.bin'),
  ),
});

/** checkpoints/latest.json: the newest checkpoint, and the one before it whose files are kept as a fallback. */
export const pointerSchema = checkpointSchema.extend({ previous: checkpointSchema.optional() });

/** One line of metrics.jsonl: its generation, then whatever the policy and family measured. */
export const metricsLineSchema = z.object({ generation }).catchall(z.unknown());

export const summarySchema = z.record(z.string(), z.unknown());

export const progressSchema = z.object({
  generation,
  generations: z.number().int(),
  phase: z.enum(['policy', 'fit', 'sample', 'evaluate']),
  fraction: z.number(),
  message: z.string().optional(),
  time: z.string(),
  pid: z.number().int(),
  host: z.string(),
});

export const snapshotSchema = z
  .object({
    generation,
    model: z.record(z.string(), z.unknown()),
    samples: z
      .object({
        kind: z.string(),
        rows: z.array(z.array(z.number())).optional(),
        values: z.array(z.number()).optional(),
      })
      .catchall(z.unknown()),
  })
  .catchall(z.unknown());

/** `value` (parsed from `file`) through `schema`; a DamagedFileError naming the file and the first bad field if it does not fit. */
export function parseRunFile<T extends z.ZodType>(schema: T, value: unknown, file: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.') || '(the whole file)';
  throw new DamagedFileError(file, `${field}: ${issue.message}`);
}
