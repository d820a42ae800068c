#!/usr/bin/env node
/** The collapse-lab command line: dispatches to one module per command in ./commands. */
import { UsageError } from '../core/errors.js';
import { fileSystemError } from '../core/fs-errors.js';
import { didYouMean } from '../core/suggest.js';
import { VERSION } from '../experiments/run.js';
import { loadPlugins, PLUGINS_ENV, takePluginFlags } from './plugins.js';

interface Command {
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

/** Each command lives in its own module, loaded only when used so that start-up stays fast. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run an experiment (a preset or --config FILE)', load: () => import('./commands/run.js') },
  resume: {
    summary: 'continue an interrupted run from its last checkpoint',
    load: () => import('./commands/resume.js'),
  },
  list: { summary: 'list presets and past runs', load: () => import('./commands/list.js') },
  data: { summary: 'download a data set (WikiText-2) with checksums', load: () => import('./commands/data.js') },
  report: {
    summary: "rebuild a run's (or a sweep's) report in place",
    load: () => import('./commands/report.js'),
  },
  compare: { summary: 'one report overlaying several runs', load: () => import('./commands/compare.js') },
  sweep: {
    summary: 'a grid of configs × seeds, locally or on a BullMQ fleet',
    load: () => import('./commands/sweep.js'),
  },
  worker: {
    summary: 'serve a sweep queue (BullMQ on Redis) on this machine',
    load: () => import('./commands/worker.js'),
  },
  reproduce: {
    summary: 'every paper experiment and one report (--quick: under a minute)',
    load: () => import('./commands/reproduce.js'),
  },
  serve: {
    summary: 'a web UI: live runs, comparisons, sweeps, the playground',
    load: () => import('./commands/serve.js'),
  },
};

const HELP = `collapse-lab ${VERSION}: a laboratory for model collapse

Usage: collapse-lab [--plugin FILE]... <command> [flags]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

'collapse-lab <command> --help' tells more.

--plugin FILE loads a JavaScript module first, e.g. one that calls registerFamily (also: $${PLUGINS_ENV}).
`;

export async function main(argv: string[]): Promise<number> {
  const { plugins, rest: args } = takePluginFlags(argv);
  await loadPlugins(plugins);
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry)
    throw new UsageError(
      `unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}; commands: ${Object.keys(COMMANDS).join(', ')}`,
    );
  const command = await entry.load();
  // Every command's --help: its spec's text (a value after `--` is an argument, not a flag).
  const flags = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (thrown: unknown) => {
    // A full disk, a missing permission, a file where a folder belongs: the user's to fix, so no stack trace.
    const error = fileSystemError(thrown) ?? thrown;
    if (error instanceof Error && 'exitCode' in error && (error as UsageError).exitCode === 2) {
      process.stderr.write(`collapse-lab: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(
        `collapse-lab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
