/**
 * A sweep file: a base experiment (a preset and/or config overrides), a grid over any config fields (dotted
 * paths), N seeds, and include/exclude lists that refine the grid, as in a CI matrix. Validated with zod like
 * every config; `expand.ts` turns it into trials.
 */
import { z } from 'zod';

/** A grid point or include/exclude entry: dotted config paths (`policy.realFraction`) → values. */
const point = z.record(z.string().min(1), z.unknown());

export const sweepSchema = z
  .object({
    /** Names the sweep folder (`<out>/<name>`) and prefixes every trial's id. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore')
      .default('sweep'),
    /** A preset every trial starts from (optional when `config` names family and real data itself). */
    preset: z.string().min(1).optional(),
    /** Config fields every trial shares, over the preset. */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Each field's values; the trials are every combination of them (times the seeds). */
    grid: z.record(z.string().min(1), z.array(z.unknown()).min(1, 'give at least one value')).default({}),
    /** A number of seeds (1..N, from `config.seed` or 1), or the seeds themselves. */
    seeds: z.union([z.number().int().min(1), z.array(z.number().int().min(0)).min(1)]).default(1),
    /** Extra grid points, each added as it is (fields it leaves out take the base's values). */
    include: z.array(point).default([]),
    /** Grid points to drop: every combination matching all of an entry's fields. */
    exclude: z.array(point).default([]),
    /** A grid that expands to more trials than this is refused before anything starts. */
    maxTrials: z.number().int().min(1).default(1000),
    /** A trial that fails is tried again up to this many times, then marked failed; the sweep goes on. */
    retries: z.number().int().min(0).max(10).default(1),
    /** The sweep report: which metric its table, curves and heatmap show (default: the family's collapse measure). */
    report: z
      .object({ metric: z.string().min(1).optional() })
      .strict()
      .default({}),
  })
  .strict();

export type SweepSpec = z.infer<typeof sweepSchema>;
export type SweepInput = z.input<typeof sweepSchema>;
