/** `collapse-lab serve`: the web UI over a runs folder (live runs, comparisons, sweeps, the playground). */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { startServer } from '../../server/index.js';
import { type CommandSpec, helpText, intFlag, parseCommand, str } from '../args.js';

export const DEFAULT_PORT = 8765;

export const commandSpec: CommandSpec = {
  name: 'serve',
  usage: ['serve [--runs DIR] [--port N] [--host H] [--data-dir DIR]'],
  description: `Serves a web UI over a runs folder: the run list (state, family, policy, generations, live or
finished, filterable), each run's metric curves drawn live as generations land, its progress, figures and
report; a comparison of selected runs (the views of 'compare'); sweeps (mean ± 95% per grid cell, heatmap,
trials); and the playground, which runs the cheap experiments in the browser.
It only reads the runs folder. It binds to 127.0.0.1; any other address must be named with --host, and
then everyone who can reach it can read the runs (there is no login).`,
  flags: {
    runs: { type: 'string', value: 'dir', help: 'the runs folder (default: runs)' },
    port: { type: 'string', value: 'n', help: `the port (default ${DEFAULT_PORT}; 0: any free port)` },
    host: { type: 'string', value: 'address', help: 'the address to bind (default 127.0.0.1)' },
    'data-dir': {
      type: 'string',
      value: 'dir',
      help: "where MNIST is looked for first, for the playground's VAE (then $COLLAPSE_LAB_DATA, the cache)",
    },
  },
};

export const help = helpText(commandSpec);

/** The built client and the engine's kernels, beside the compiled CLI: dist/web, dist/engine. */
const WEB_DIR = path.resolve(import.meta.dirname, '../../web');
const ENGINE_DIR = path.resolve(import.meta.dirname, '../../engine');

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, commandSpec);
  if (positionals.length > 0)
    throw new UsageError(`serve: unexpected argument '${positionals[0]}'; the runs folder is given with --runs DIR`);
  const runsDir = str(values, 'runs') ?? 'runs';
  if (fs.existsSync(runsDir) && !fs.statSync(runsDir).isDirectory())
    throw new UsageError(`--runs: '${runsDir}' is a file, not a folder; pass the folder that holds the runs`);
  const port = intFlag(str(values, 'port'), 'port', 0, 65_535) ?? DEFAULT_PORT;
  const host = str(values, 'host');
  if (host !== undefined && host.trim() === '') throw new UsageError(`--host: expected an address, got ''`);
  if (!fs.existsSync(path.join(WEB_DIR, 'index.html')))
    throw new UsageError(`serve: the web client is not built (no ${WEB_DIR}/index.html); run 'npm run build'`);
  const dataDir = str(values, 'data-dir');
  const server = await startServer({
    runsDir,
    webDir: WEB_DIR,
    engineDir: ENGINE_DIR,
    ...(dataDir ? { dataDir } : {}),
    port,
    ...(host === undefined ? {} : { host, hostExplicit: true }),
  });
  if (server.warning) process.stderr.write(`collapse-lab: warning: ${server.warning}\n`);
  process.stdout.write(`collapse-lab serve: ${server.url} (runs: ${path.resolve(runsDir)}); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await server.close();
  return 0;
}
