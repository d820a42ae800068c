/** `collapse-lab run <preset> | --config FILE [flags]`: one experiment into a new run folder. */
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { type ExperimentConfig, POLICY_TYPES } from '../../experiments/config.js';
import { readConfigFileResolved, setOverrides } from '../../experiments/config-file.js';
import { type Executor, summariesOf } from '../../experiments/executor.js';
import { localExecutor } from '../../experiments/executors/local.js';
import { presetNames } from '../../experiments/presets.js';
import { deepMerge, type RunSummary, resolveConfig, seedConfigs } from '../../experiments/run.js';
import { familyDefinitions } from '../../families/index.js';
import { buildComparisonReport, freshReportDir } from '../../reports/compare.js';
import {
  type CommandSpec,
  choiceFlag,
  helpText,
  intFlag,
  numberFlag,
  type ParsedFlags,
  parseCommand,
  str,
  strings,
} from '../args.js';
import { printSummary, summaryJson } from '../output.js';
import { Progress, type ProgressMode, progressMode, trackedRun } from '../progress.js';

const MAX_SEEDS = 10_000;
const MAX_PARALLEL = 256;

/** Shared with --help: progress modes, as `run`, `resume` and `reproduce` take them. */
export const PROGRESS_FLAG = {
  type: 'string',
  value: 'mode',
  help: "auto (a bar on a terminal, else a plain line every 5 s) | bar | plain | none |\njsonl (one JSON event per generation on stdout, then one 'finished' event per run)",
} as const;

export const commandSpec: CommandSpec = {
  name: 'run',
  usage: ['run <preset> [flags]', 'run <file.json|file.yaml> [flags]', 'run <preset> --config <file> [flags]'],
  description: `Runs one experiment: generation 0 fits the real data, every later generation fits data its data policy
builds from the real pool and earlier generations' samples. Writes runs/<name>-<policy>-seed<seed>-<timestamp>/.

Presets: ${presetNames().join(', ')}  (collapse-lab list shows what each does)
Families: ${familyDefinitions()
    .map((d) => `${d.name} (${d.sampleKind})`)
    .join(', ')}  (a config's family.type)`,
  flags: {
    config: {
      type: 'string',
      value: 'file',
      help: 'a JSON or YAML config (a preset given too is the base it overrides); relative\npaths in it (real.path, real.dataDir, ...) are relative to the file',
    },
    set: {
      type: 'string',
      multiple: true,
      value: 'key=value',
      help: 'override any config field, e.g. --set family.components=3 --set policy.type=mix\n(repeatable; the value is read as YAML: 3, true, [1, 2], {type: mix})',
    },
    generations: { type: 'string', value: 'n', help: 'number of generations (0..n-1)' },
    samples: { type: 'string', value: 'm', help: 'samples per generation (M)' },
    policy: { type: 'string', value: 'name', help: POLICY_TYPES.join(' | ') },
    'real-fraction': { type: 'string', value: 'f', help: 'share of real data for --policy mix (default 0.1)' },
    'stop-when': {
      type: 'string',
      value: 'rule',
      help: 'end the run once a metric crosses a bound, e.g. "variance<1e-12" (recorded in the\nsummary as stopped.generation; the config\'s stopWhen)',
    },
    seed: { type: 'string', value: 's', help: 'seed (integer ≥ 0); same config and seed give identical metrics' },
    name: { type: 'string', value: 'name', help: 'run name (the folder is <name>-<policy>-seed<seed>-<timestamp>)' },
    out: { type: 'string', value: 'dir', help: 'where run folders go (default: runs)' },
    seeds: {
      type: 'string',
      value: 'n',
      help: 'run n seeds (seed, seed+1, …) in parallel worker threads, into one folder\n<out>/<name>-seeds-<timestamp>: a run folder each under runs/, and a combined\nreport (mean and spread) beside them',
    },
    parallel: {
      type: 'string',
      value: 'n',
      help: 'with --seeds: most runs at once (default: the cores; 1 runs them one after another)',
    },
    'data-dir': {
      type: 'string',
      value: 'dir',
      help: 'where data sets live (WikiText-2, MNIST); default $COLLAPSE_LAB_DATA, then the cache',
    },
    'no-report': {
      type: 'boolean',
      help: "skip report.html and figures/ (rebuild later with 'collapse-lab report <runDir>')",
    },
    progress: PROGRESS_FLAG,
    json: { type: 'boolean', help: 'print the summary as JSON on stdout (with the paths of its files)' },
  },
};

export const help = helpText(commandSpec);

const CONFIG_FILE = /\.(json|ya?ml)$/i;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, commandSpec);
  if (positionals.length > 1) throw new UsageError(`run: expected at most one preset, got ${positionals.join(' ')}`);
  // `run my.yaml` is what people type for a config file: a positional that names one is taken as --config.
  const fileGiven = positionals[0] !== undefined && CONFIG_FILE.test(positionals[0]);
  if (fileGiven && values.config !== undefined)
    throw new UsageError(`run: two config files (${positionals[0]} and --config ${values.config}); pass one`);
  const preset = fileGiven ? undefined : positionals[0];
  const configFile = fileGiven ? positionals[0] : str(values, 'config');
  if (preset === undefined && configFile === undefined) {
    throw new UsageError(`run: name a preset (${presetNames().join(', ')}) or pass --config FILE`);
  }
  const overrides = deepMerge(
    deepMerge(configFile ? readConfigFileResolved(configFile) : {}, setOverrides(strings(values, 'set'))),
    flagOverrides(values),
  );
  if (values['real-fraction'] !== undefined && (overrides.policy as { type?: string } | undefined)?.type !== 'mix') {
    throw new UsageError(`--real-fraction: applies only with --policy mix (the share of real data it keeps)`);
  }
  const dataDir = str(values, 'data-dir');
  let config = resolveConfig(preset, overrides);
  if (dataDir !== undefined) {
    const type = config.real.type;
    if (type !== 'wikitext' && type !== 'mnist') {
      throw new UsageError(
        `--data-dir: applies to data-set real types (wikitext, mnist); this run's real data is '${type}'`,
      );
    }
    config = resolveConfig(preset, { ...overrides, real: { ...(overrides.real as object), type, dataDir } });
  }
  // Each seed is a run folder and each parallel run a worker thread: bounded, so a typo cannot exhaust memory.
  const seeds = intFlag(str(values, 'seeds'), 'seeds', 1, MAX_SEEDS) ?? 1;
  const parallel = intFlag(str(values, 'parallel'), 'parallel', 1, MAX_PARALLEL);
  if (parallel !== undefined && seeds === 1) throw new UsageError(`--parallel: applies only with --seeds N (N ≥ 2)`);
  const out = str(values, 'out') ?? 'runs';
  const report = !values['no-report'];
  const json = Boolean(values.json);
  const mode = progressMode(str(values, 'progress'));
  // One run stays in this thread; seeds go to a worker pool (--parallel 1: one after another, here).
  const executor = localExecutor({ parallel: seeds > 1 ? parallel : 1 });
  try {
    if (seeds > 1) return await runSeeds(executor, config, seeds, { out, report, mode }, json);
    const [summary] = await runWithProgress(executor, [config], { out, report, mode });
    if (mode === 'jsonl') finishedEvent(summary);
    else printSummary(summary, json);
    return 0;
  } finally {
    await executor.close?.();
  }
}

interface Output {
  readonly out: string;
  readonly report: boolean;
  readonly mode: ProgressMode;
}

/** The configs through the executor under one progress display; the first failure is thrown. */
async function runWithProgress(
  executor: Executor,
  configs: readonly ExperimentConfig[],
  { out, report, mode }: Output,
  title?: string,
): Promise<RunSummary[]> {
  const progress = new Progress(
    configs.map((c) => trackedRun(c, configs.length > 1 ? `${c.name} seed ${c.seed}` : c.name)),
    mode,
    title,
  );
  const outcomes = await executor
    .run(
      configs.map((config) => ({ config, out, report })),
      {
        everyGeneration: progress.wantsEveryGeneration,
        onGeneration: (i, g, line) => progress.generation(i, g, line),
        onStage: (i, _g, _stage, _fraction, message) => progress.stage(i, message),
        onOutcome: (i) => progress.runEnded(i),
      },
    )
    .finally(() => progress.finish());
  return summariesOf(outcomes);
}

/** `--progress jsonl`'s last word on a run: its summary and the paths of its files. */
function finishedEvent(summary: RunSummary): void {
  process.stdout.write(`${JSON.stringify({ event: 'finished', summary: summaryJson(summary) })}\n`);
}

/** `--seeds N`: the runs in parallel, then (unless --no-report) one report of their mean and spread beside them. */
async function runSeeds(
  executor: Executor,
  config: ExperimentConfig,
  n: number,
  output: Output,
  json: boolean,
): Promise<number> {
  const { out, report, mode } = output;
  // The seeds nest under their combined folder: <out>/<name>-seeds-<timestamp>/runs/<each run>.
  const folder = freshReportDir(out, `${config.name}-seeds`);
  const runs = path.join(folder, 'runs');
  const summaries = await runWithProgress(
    executor,
    seedConfigs(config, n),
    { ...output, out: runs },
    `${config.name} × ${n} seeds`,
  );
  const dirs = summaries.map((s) => s.runDir as string);
  const combined = report
    ? await buildComparisonReport(dirs, folder, {
        title: `${config.name}: ${n} seeds (${config.seed}..${config.seed + n - 1})`,
        kind: 'seeds',
      })
    : null;
  if (mode === 'jsonl') {
    for (const s of summaries) finishedEvent(s);
    process.stdout.write(`${JSON.stringify({ event: 'combined', report: combined?.html ?? null })}\n`);
  } else if (json)
    process.stdout.write(
      `${JSON.stringify({ runs: summaries.map(summaryJson), report: combined?.html ?? null }, null, 2)}\n`,
    );
  else {
    for (const s of summaries) printSummary(s, false);
    if (combined) process.stdout.write(`combined report: ${combined.html}\n`);
  }
  return 0;
}

/** The flags that override config fields; absent flags leave the field alone. */
function flagOverrides(values: ParsedFlags['values']): Record<string, unknown> {
  const policy = choiceFlag(str(values, 'policy'), 'policy', POLICY_TYPES);
  const realFraction = numberFlag(str(values, 'real-fraction'), 'real-fraction', 0, 1);
  const overrides: Record<string, unknown> = {
    generations: intFlag(str(values, 'generations'), 'generations', 1),
    samplesPerGeneration: intFlag(str(values, 'samples'), 'samples', 1),
    seed: intFlag(str(values, 'seed'), 'seed', 0),
    name: str(values, 'name'),
    stopWhen: str(values, 'stop-when'),
    policy: policy === 'mix' ? { type: 'mix', realFraction: realFraction ?? 0.1 } : policy && { type: policy },
  };
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
}
