/**
 * curves.csv beside every report that holds several runs (compare, --seeds, reproduce): one row per run,
 * generation and metric, so `pd.read_csv(...)` gives a tidy frame without parsing JSON lines.
 */
import path from 'node:path';
import { writeChunksAtomic } from '../core/atomic-file.js';
import { csv } from '../core/csv.js';
import type { RunData } from '../core/run-store.js';

export const CURVES_CSV = 'curves.csv';

export interface LabelledRuns {
  readonly label: string;
  readonly runs: readonly RunData[];
}

/**
 * Writes `<outDir>/curves.csv`: run (its folder, relative to the report), label, seed, generation, metric, value.
 * One chunk per run, so the file may outgrow a single string.
 */
export function writeCurvesCsv(outDir: string, groups: readonly LabelledRuns[]): string {
  const file = path.join(outDir, CURVES_CSV);
  writeChunksAtomic(file, curveChunks(outDir, groups));
  return file;
}

function* curveChunks(outDir: string, groups: readonly LabelledRuns[]): Generator<string> {
  yield csv([['run', 'label', 'seed', 'generation', 'metric', 'value']]);
  for (const { label, runs } of groups)
    for (const run of runs) {
      const dir = path.relative(outDir, run.dir);
      const rows: unknown[][] = [];
      for (const line of run.metrics)
        for (const [metric, value] of Object.entries(line))
          if (metric !== 'generation' && typeof value === 'number')
            rows.push([dir, label, run.config.seed, line.generation, metric, value]);
      if (rows.length > 0) yield csv(rows);
    }
}
