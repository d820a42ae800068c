/**
 * The published formats of the files a run and a reproduce suite write, for readers outside the lab (pandas,
 * R, a dashboard). Each has a versioned id; summary.json and results.json name theirs in a `schema` field, and
 * summary.json names its metrics.jsonl's. The JSON Schema files in docs/schemas/ are generated from these
 * (`npm run schemas`) and a test keeps them equal. A change that breaks a reader gets a new version.
 */
import { z } from 'zod';

export const SCHEMA_IDS = {
  metricsLine: 'collapse-lab/metrics-line/v1',
  summary: 'collapse-lab/summary/v1',
  results: 'collapse-lab/results/v1',
} as const;

const metricValue = z.union([z.number(), z.null(), z.array(z.number())]);

/** One line of metrics.jsonl. */
export const metricsLineFormat = z
  .object({
    generation: z.number().int().min(0).describe('0 fits the real data; g fits what the policy built for it'),
    trainSize: z.number().int().min(0).describe('items in the training set'),
    realFraction: z.number().min(0).max(1).describe('share of real items in the training set'),
  })
  .catchall(metricValue)
  .describe('One line of metrics.jsonl: a generation and every number the policy and the family measured');

const theoryCheck = z.object({
  name: z.string(),
  measured: z.number(),
  expected: z.number(),
  sd: z.number(),
  z: z.number(),
  inBand: z.boolean().describe('|z| < 3.5'),
});

/** summary.json: written last, when a run finishes (its presence marks a finished run). */
export const summaryFormat = z
  .object({
    schema: z.literal(SCHEMA_IDS.summary),
    metricsSchema: z.literal(SCHEMA_IDS.metricsLine),
    name: z.string(),
    runDir: z.string().nullable(),
    family: z.string(),
    policy: z.string(),
    seed: z.number().int().min(0),
    generations: z.number().int().min(1).describe('generations configured (fewer ran when stopped is set)'),
    first: metricsLineFormat,
    final: metricsLineFormat,
    wallSeconds: z.number(),
    generationsPerSecond: z.number(),
    resumedFrom: z.number().int().nullable(),
    version: z.string().describe('the collapse-lab version that ran it'),
    theory: z.array(theoryCheck),
    stopped: z.object({ generation: z.number().int(), rule: z.string() }).optional(),
  })
  .describe("A finished run's summary");

const claimRow = z.object({
  experiment: z.string(),
  claim: z.string(),
  source: z.string(),
  bar: z.string(),
  command: z.string(),
  measured: z.string(),
  pass: z.boolean().nullable().describe('null: not run'),
});

/** results.json of `collapse-lab reproduce`. */
export const resultsFormat = z
  .object({
    schema: z.literal(SCHEMA_IDS.results),
    quick: z.boolean(),
    wallSeconds: z.number(),
    runs: z.number().int(),
    paper: z.object({ citation: z.string(), short: z.string() }).optional(),
    claims: z.array(claimRow).optional(),
    experiments: z.array(
      z.object({
        id: z.string(),
        skipped: z.string().optional(),
        sentences: z.array(z.string()),
        table: z.object({ headers: z.array(z.string()), rows: z.array(z.array(z.string())) }),
      }),
    ),
  })
  .describe('What `collapse-lab reproduce` found');

/** The JSON Schema documents docs/schemas/ holds, by file name. */
export function jsonSchemas(): Record<string, unknown> {
  const doc = (id: string, schema: z.ZodType) => ({ $id: id, ...z.toJSONSchema(schema, { io: 'output' }) });
  return {
    'metrics-line.v1.schema.json': doc(SCHEMA_IDS.metricsLine, metricsLineFormat),
    'summary.v1.schema.json': doc(SCHEMA_IDS.summary, summaryFormat),
    'results.v1.schema.json': doc(SCHEMA_IDS.results, resultsFormat),
  };
}
