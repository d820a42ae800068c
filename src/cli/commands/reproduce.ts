/** `collapse-lab reproduce [--quick] [--out DIR]`: every paper experiment, run and written up in one report. */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { paperExperiments } from '../../experiments/paper/index.js';
import { reproduce, selectExperiments } from '../../experiments/reproduce.js';
import { freshReportDir } from '../../reports/compare.js';
import { type CommandSpec, helpText, intFlag, parseCommand, str } from '../args.js';
import { Progress, progressMode, trackedRun } from '../progress.js';

export const commandSpec: CommandSpec = {
  name: 'reproduce',
  usage: ['reproduce [--quick | --full] [--out DIR] [--only ID,ID]'],
  description: `Runs every paper experiment the lab has (${paperExperiments()
    .map((e) => e.id)
    .join(', ')}), contrasting replace, mix 10% real and
accumulate, and writes one report: per experiment the figure, a table of numbers and plain sentences computed
from the runs. Runs go in parallel, one per core. An experiment whose data are missing (the language model
needs WikiText-2: set COLLAPSE_LAB_DATA) is skipped, and the report says why.`,
  flags: {
    quick: {
      type: 'boolean',
      help: `shorter runs: measured on 2 cores, 70 s without the data sets, 8 min with WikiText-2,\nMNIST and python3-torch (wall time to the written report)`,
    },
    full: {
      type: 'boolean',
      help: `also the long runs: the VAE at the notebook's settings (about an hour a generation here)`,
    },
    out: {
      type: 'string',
      value: 'dir',
      help: `the report folder (default: runs/reproduce-<timestamp>); run folders go to <dir>/runs`,
    },
    only: { type: 'string', value: 'ids', help: `a comma-separated subset of the experiments` },
    parallel: { type: 'string', value: 'n', help: `most runs at once (default: the cores)` },
    'data-dir': {
      type: 'string',
      value: 'dir',
      help: `where WikiText-2 and MNIST are (default: $COLLAPSE_LAB_DATA, then the download cache)`,
    },
    progress: {
      type: 'string',
      value: 'mode',
      help: `auto | bar | plain | jsonl | none (as for 'run'); the line names each run's experiment`,
    },
    json: { type: 'boolean', help: `print the findings as JSON` },
  },
};

export const help = helpText(commandSpec);

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, commandSpec);
  const only = str(values, 'only')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  selectExperiments(only); // an unknown id is refused before the report folder is made
  const parallel = intFlag(str(values, 'parallel'), 'parallel', 1, 256);
  const quick = Boolean(values.quick);
  if (quick && values.full) throw new UsageError('reproduce: --quick and --full exclude each other; pass one');
  const mode = progressMode(str(values, 'progress'));
  const dataDir = str(values, 'data-dir');
  if (dataDir !== undefined && !fs.statSync(dataDir, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`--data-dir: '${dataDir}' is not a folder; give the folder that holds wikitext-2/ and mnist/`);
  let progress: Progress | undefined;
  const result = await reproduce({
    quick,
    full: Boolean(values.full),
    only,
    dataDir: dataDir === undefined ? undefined : path.resolve(dataDir),
    parallel, // reproduce makes (and closes) localExecutor({ parallel })
    out: str(values, 'out') ?? freshReportDir('runs', quick ? 'reproduce-quick' : 'reproduce'),
    progress: {
      everyGeneration: mode === 'jsonl',
      onStart: (runs) => {
        progress = new Progress(
          runs.map((r) => trackedRun(r.config, `reproduce ${r.experiment}: ${r.config.name}`)),
          mode,
        );
      },
      onGeneration: (run, generation, line) => progress?.generation(run, generation, line),
      onStage: (run, message) => progress?.stage(run, message),
      onRunEnded: (run) => progress?.runEnded(run),
    },
  }).finally(() => progress?.finish());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const lines = [];
  for (const e of result.experiments) {
    lines.push(`${e.id}:`, ...(e.skipped ? [`  skipped: ${e.skipped}`] : e.sentences.map((s) => `  ${s}`)));
  }
  const ran = result.experiments.filter((e) => !e.skipped).length;
  const skipped = result.experiments.length - ran;
  lines.push(
    `report: ${result.report} (${result.wallSeconds.toFixed(0)} s wall time, from the start to the written report: ${ran} experiment${ran === 1 ? '' : 's'} ran${skipped ? `, ${skipped} skipped` : ''})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
