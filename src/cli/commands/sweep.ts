/** `collapse-lab sweep <sweep.yaml|json>`: a grid of configs × seeds, as trials in one sweep folder. */
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { readConfigFile, resolveConfigPaths } from '../../experiments/config-file.js';
import { localExecutor } from '../../experiments/executors/local.js';
import { planSweep, runSweepLocally, SweepFolder } from '../../sweeps/index.js';
import { SWEEP_PRESETS } from '../../sweeps/presets.js';
import { checkRedis, DEFAULT_QUEUE, displayUrl } from '../../sweeps/queue/connection.js';
import { buildSweepReport, WORKER_HEADER, workerRows } from '../../sweeps/report.js';
import type { WorkerRecord } from '../../sweeps/sweep-folder.js';
import { type CommandSpec, helpText, intFlag, parseCommand, str } from '../args.js';
import { SweepStatus, sweepLine } from '../sweep-status.js';

export const commandSpec: CommandSpec = {
  name: 'sweep',
  usage: ['sweep <sweep.yaml|sweep.json|preset> [flags]', 'sweep --status <sweepDir>'],
  description: `Runs a grid of experiments: every combination of the grid's values, times N seeds, each trial an ordinary run
folder under <out>/<name>/trials/<id> (id: a stable hash of the trial's config). Run again, it skips finished
trials and resumes unfinished ones. A failed trial is retried up to 'retries' times, then marked failed; the
sweep goes on. sweep.json records the grid, each trial's state and attempts.

A sweep file:
  name: keep-real
  preset: gmm
  config: { generations: 200, policy: { type: mix } }
  grid:
    policy.realFraction: [0, 0.05, 0.1, 0.2]
    samplesPerGeneration: [100, 1000]
  seeds: 4
  exclude: [ { policy.realFraction: 0.2, samplesPerGeneration: 100 } ]
  include: [ { policy.realFraction: 0.5, samplesPerGeneration: 100 } ]
  maxTrials: 1000
  retries: 1

On a fleet: --queue redis://HOST:PORT puts the trials on a BullMQ queue, and 'collapse-lab worker --queue ...'
started on any number of machines runs them. Trial run folders (checkpoints) go to --artifacts, which every
worker must see (shared storage); a worker that dies mid-trial has its trial resumed by another. Results come
back through the queue into the sweep folder.

Preset sweeps: ${Object.entries(SWEEP_PRESETS)
    .map(([name, p]) => `${name}: ${p.description}`)
    .join('\n')}`,
  flags: {
    out: { type: 'string', value: 'dir', help: `where sweep folders go (default: sweeps)` },
    parallel: { type: 'string', value: 'n', help: `trials at once on this machine (default: the cores)` },
    queue: {
      type: 'string',
      value: 'url',
      help: `run on a BullMQ queue at this Redis (redis://HOST:PORT[/DB]) instead of locally`,
    },
    'queue-name': {
      type: 'string',
      value: 'name',
      help: `the queue (default: ${DEFAULT_QUEUE}); workers must name the same`,
    },
    artifacts: {
      type: 'string',
      value: 'dir',
      help: `with --queue: shared storage for the trials' run folders (default: <sweep>/artifacts)`,
    },
    status: { type: 'string', value: 'dir', help: `print a sweep folder's state and exit (works while it runs)` },
    report: {
      type: 'string',
      value: 'dir',
      help: `rebuild a sweep folder's report (works while it runs: finished trials only)`,
    },
    'no-report': {
      type: 'boolean',
      help: `skip the report at the end (report.html, figures/, finals.csv, curves.csv)`,
    },
    json: { type: 'boolean', help: `print sweep.json's trial states as JSON at the end` },
  },
};

export const help = helpText(commandSpec);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, commandSpec);
  const report = str(values, 'report');
  if (report !== undefined) {
    process.stdout.write(`report: ${(await buildSweepReport(report)).html}\n`);
    return 0;
  }
  const status = str(values, 'status');
  if (status !== undefined)
    return printStatus(status, Boolean(values.json), str(values, 'queue'), str(values, 'queue-name'));
  if (positionals.length !== 1)
    throw new UsageError(`sweep: expected one sweep file (YAML or JSON), got ${positionals.length}; see --help`);
  const file = positionals[0];
  const preset = SWEEP_PRESETS[file];
  const { spec, trials } = preset
    ? planSweep(preset.spec, `sweep preset '${file}'`)
    : planSweep(sweepFile(file), `sweep '${file}'`);
  const parallel = intFlag(str(values, 'parallel'), 'parallel', 1);
  const queue = str(values, 'queue');
  if (queue === undefined && (values['queue-name'] !== undefined || values.artifacts !== undefined))
    throw new UsageError('--queue-name and --artifacts apply only with --queue URL');
  if (queue !== undefined) await checkRedis(queue);
  const folder = SweepFolder.prepare(str(values, 'out') ?? 'sweeps', spec, trials, queue ? displayUrl(queue) : 'local');
  const display = new SweepStatus(folder.record);
  const events = { onChange: (f: SweepFolder) => display.update(f.record) };
  if (queue !== undefined) {
    // Loaded only for a fleet: a local sweep never pays for BullMQ.
    const { runSweepOnQueue } = await import('../../sweeps/queue/coordinator.js');
    await runSweepOnQueue(
      folder,
      trials,
      { url: queue, queue: str(values, 'queue-name'), artifacts: str(values, 'artifacts') },
      events,
    );
  } else {
    const executor = localExecutor({ parallel });
    try {
      await runSweepLocally(folder, trials, executor, events);
    } finally {
      await executor.close?.();
    }
  }
  display.finish(folder.record);
  const counts = folder.counts();
  const written = values['no-report'] ? undefined : await buildSweepReport(folder.dir);
  if (values.json)
    process.stdout.write(`${JSON.stringify({ dir: folder.dir, report: written?.html ?? null, ...counts }, null, 2)}\n`);
  else process.stdout.write(`sweep folder: ${folder.dir}${written ? `\nreport: ${written.html}` : ''}\n`);
  return counts.failed > 0 ? 1 : 0;
}

async function printStatus(dir: string, json: boolean, queue?: string, queueName?: string): Promise<number> {
  const record = SweepFolder.read(dir);
  if (!record) throw new UsageError(`--status: ${path.join(dir, 'sweep.json')} does not exist; pass a sweep folder`);
  // The workers as the coordinator last saw them; with --queue, as Redis has them now.
  let workers: readonly WorkerRecord[] | undefined = record.workers;
  if (queue) {
    await checkRedis(queue);
    const { queueWorkers } = await import('../../sweeps/queue/worker.js');
    const { mergeWorkers } = await import('../../sweeps/queue/coordinator.js');
    const seen = await queueWorkers(queue, queueName);
    workers = mergeWorkers(record.workers ?? [], seen.workers, seen.now, seen.now);
  }
  if (json) process.stdout.write(`${JSON.stringify({ trials: record.trials, workers }, null, 2)}\n`);
  else {
    if (workers) {
      const live = workers.filter((w) => w.state === 'live').length;
      process.stdout.write(`workers: ${live} live, ${workers.length - live} gone\n`);
      for (const row of [[...WORKER_HEADER], ...workerRows(workers)]) process.stdout.write(`  ${row.join('  ')}\n`);
    }
    process.stdout.write(`${sweepLine(record, 0, 0).replace(/ · [^·]*trials\/min.*$/, '')}\n`);
    for (const t of record.trials)
      process.stdout.write(
        `  ${t.id}  ${t.state.padEnd(8)} ${String(t.generationsDone ?? 0).padStart(6)}/${t.generations}  seed ${t.seed}  ${JSON.stringify(t.point)}${t.error ? `  ${t.error}` : ''}\n`,
      );
  }
  return 0;
}

/** A sweep file, its base config's relative paths resolved against the file's folder (as `run --config` does). */
function sweepFile(file: string): Record<string, unknown> {
  const spec = readConfigFile(file, 'sweep');
  const config = spec.config;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return spec;
  return { ...spec, config: resolveConfigPaths(config as Record<string, unknown>, path.dirname(path.resolve(file))) };
}
