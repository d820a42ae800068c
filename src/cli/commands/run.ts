/** `collapse-lab run <preset> | --config FILE [flags]`: one experiment into a new run folder. */
import { UsageError } from '../../core/errors.js';
import { type ExperimentConfig, POLICY_TYPES } from '../../experiments/config.js';
import { readConfigFile } from '../../experiments/config-file.js';
import { type Executor, summariesOf } from '../../experiments/executor.js';
import { localExecutor } from '../../experiments/executors/local.js';
import { presetNames } from '../../experiments/presets.js';
import { type RunSummary, resolveConfig, seedConfigs } from '../../experiments/run.js';
import { familyDefinitions } from '../../families/index.js';
import { buildComparisonReport, freshReportDir } from '../../reports/compare.js';
import { choiceFlag, intFlag, numberFlag, type ParsedFlags, parseFlags, str } from '../args.js';
import { printSummary } from '../output.js';
import { ProgressBar } from '../progress.js';

const MAX_SEEDS = 10_000;
const MAX_PARALLEL = 256;

export const help = `Usage: collapse-lab run <preset> [flags]
       collapse-lab run --config <file.json|file.yaml> [flags]

Runs one experiment: generation 0 fits the real data, every later generation fits data its data policy
builds from the real pool and earlier generations' samples. Writes runs/<name>-<timestamp>/.

Presets: ${presetNames().join(', ')}  (collapse-lab list shows what each does)
Families: ${familyDefinitions()
  .map((d) => `${d.name} (${d.sampleKind})`)
  .join(', ')}  (a config's family.type)

Flags:
  --config <file>        a JSON or YAML config (a preset given too is the base it overrides)
  --generations <n>      number of generations (0..n-1)
  --samples <m>          samples per generation (M)
  --policy <name>        ${POLICY_TYPES.join(' | ')}
  --real-fraction <f>    share of real data for --policy mix (default 0.1)
  --seed <s>             seed (integer ≥ 0); same config and seed give identical metrics
  --name <name>          run name (the folder is <name>-<timestamp>)
  --out <dir>            where run folders go (default: runs)
  --seeds <n>            run n seeds (seed, seed+1, …) in parallel worker threads, each in its own run
                         folder, plus a combined report (mean and spread) in <out>/<name>-seeds-<timestamp>
  --parallel <n>         with --seeds: most runs at once (default: the cores; 1 runs them one after another)
  --data-dir <dir>       where data sets live (WikiText-2, MNIST); default $COLLAPSE_LAB_DATA, then the cache
  --no-report            skip report.html and figures/ (rebuild later with 'collapse-lab compare <runDir>')
  --json                 print the summary as JSON on stdout
  -h, --help             this help
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      config: { type: 'string' },
      generations: { type: 'string' },
      samples: { type: 'string' },
      policy: { type: 'string' },
      'real-fraction': { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      seeds: { type: 'string' },
      parallel: { type: 'string' },
      'data-dir': { type: 'string' },
      'no-report': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    'run',
  );
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`run: expected at most one preset, got ${positionals.join(' ')}`);
  const preset = positionals[0];
  const configFile = str(values, 'config');
  if (preset === undefined && configFile === undefined) {
    throw new UsageError(`run: name a preset (${presetNames().join(', ')}) or pass --config FILE`);
  }
  const overrides = {
    ...(configFile ? readConfigFile(configFile) : {}),
    ...flagOverrides(values),
  };
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
  // One run stays in this thread; seeds go to a worker pool (--parallel 1: one after another, here).
  const executor = localExecutor({ parallel: seeds > 1 ? parallel : 1 });
  try {
    if (seeds > 1) return await runSeeds(executor, config, seeds, { out, report }, json);
    const [summary] = await runWithProgress(executor, [config], { out, report }, config.name);
    printSummary(summary, json);
    return 0;
  } finally {
    await executor.close?.();
  }
}

/** The configs through the executor under one progress bar (generations over all runs); the first failure is thrown. */
async function runWithProgress(
  executor: Executor,
  configs: readonly ExperimentConfig[],
  { out, report }: { readonly out: string; readonly report: boolean },
  label: string,
): Promise<RunSummary[]> {
  const done = new Array<number>(configs.length).fill(0);
  const bar = new ProgressBar(
    configs.reduce((a, c) => a + c.generations, 0),
    label,
  );
  const outcomes = await executor.run(
    configs.map((config) => ({ config, out, report })),
    {
      onGeneration: (i, g) => {
        done[i] = g + 1;
        bar.update(done.reduce((a, b) => a + b, 0) - 1);
      },
    },
  );
  const summaries = summariesOf(outcomes);
  bar.finish();
  return summaries;
}

/** `--seeds N`: the runs in parallel, then (unless --no-report) one report of their mean and spread beside them. */
async function runSeeds(
  executor: Executor,
  config: ExperimentConfig,
  n: number,
  { out, report }: { readonly out: string; readonly report: boolean },
  json: boolean,
): Promise<number> {
  const summaries = await runWithProgress(
    executor,
    seedConfigs(config, n),
    { out, report },
    `${config.name} × ${n} seeds`,
  );
  const dirs = summaries.map((s) => s.runDir as string);
  const combined = report
    ? await buildComparisonReport(dirs, freshReportDir(out, `${config.name}-seeds`), {
        title: `${config.name}: ${n} seeds (${config.seed}..${config.seed + n - 1})`,
      })
    : null;
  if (json) process.stdout.write(`${JSON.stringify({ runs: summaries, report: combined?.html ?? null }, null, 2)}\n`);
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
    policy: policy === 'mix' ? { type: 'mix', realFraction: realFraction ?? 0.1 } : policy && { type: policy },
  };
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
}
