/** `collapse-lab compare <runDir>...`: one report overlaying finished (or unfinished) runs. */
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { RunFolder } from '../../core/run-folder.js';
import { readRunConfig } from '../../core/run-store.js';
import { buildComparisonReport, freshReportDir } from '../../reports/compare.js';
import { CURVES_CSV } from '../../reports/tidy.js';
import { SweepFolder } from '../../sweeps/sweep-folder.js';
import { type CommandSpec, helpText, parseCommand, str } from '../args.js';

export const commandSpec: CommandSpec = {
  name: 'compare',
  usage: ['compare <runDir|sweepDir>... [--out DIR] [--title TEXT]'],
  description: `Writes one report overlaying the runs: runs whose configs differ only in the seed are drawn as their mean
with a band (the 95% interval of their mean; geometric for variances, perplexities, distances); different configs (e.g. replace vs mix vs accumulate) as
separate lines, labelled by the config's label or by what differs. A run given twice (the same config and
seed) counts once, with a warning. Runs of different families get separate sections. A sweep folder stands
for its finished trials: one curve with its band per grid cell. Beside report.html: curves.csv (run, label,
seed, generation, metric, value) and runs.json.`,
  flags: {
    out: { type: 'string', value: 'dir', help: `the report folder (default: runs/compare-<timestamp>)` },
    title: { type: 'string', value: 'text', help: `the report's title` },
    json: { type: 'boolean', help: `print the report's paths as JSON` },
  },
};

export const help = helpText(commandSpec);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, commandSpec);
  if (positionals.length === 0)
    throw new UsageError(`compare: name one or more run folders; see 'collapse-lab compare --help'`);
  const runDirs = positionals.flatMap(runFoldersOf);
  for (const dir of runDirs) RunFolder.open(dir); // names a bad folder before anything is written
  const families = [...new Set(runDirs.map((d) => readRunConfig(d).family.type))];
  if (families.length > 1)
    process.stderr.write(
      `collapse-lab compare: these runs are of ${families.length} families (${families.join(', ')}); their metrics are not comparable, so each family gets its own sections of the report\n`,
    );
  const out = str(values, 'out') ?? freshReportDir('runs', 'compare');
  const title = str(values, 'title');
  const report = await buildComparisonReport(runDirs, out, title ? { title } : {});
  // Every path from the same base as the report's (the current folder), so a script opens them as printed.
  const paths = {
    report: report.html,
    figures: report.pngs.map((p) => path.join(out, p)),
    curves: path.join(out, CURVES_CSV),
    runs: path.join(out, 'runs.json'),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`);
  else process.stdout.write(`report: ${report.html}\n`);
  return 0;
}

/** A sweep folder stands for its finished trials' run folders; any other folder for itself. */
function runFoldersOf(dir: string): string[] {
  const record = SweepFolder.read(dir);
  if (!record) return [dir];
  const trials = SweepFolder.open(dir, record).finishedTrialDirs();
  if (trials.length === 0)
    throw new UsageError(`compare: sweep ${dir} has no finished trial yet; compare it once some have finished`);
  return trials;
}
