/**
 * Plugins: a user's own modules, loaded before a command runs, that call `registerFamily` (or register
 * experiments) through the library API, so the command line knows families that live outside this package.
 * `--plugin FILE` (repeatable, before the command) and $COLLAPSE_LAB_PLUGINS (paths separated as in PATH) name
 * them; the flag's paths are added to the environment so worker threads load them too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';

export const PLUGINS_ENV = 'COLLAPSE_LAB_PLUGINS';

/** Takes leading `--plugin FILE` / `--plugin=FILE` pairs off argv; returns their absolute paths and the rest. */
export function takePluginFlags(argv: readonly string[]): { plugins: string[]; rest: string[] } {
  const plugins: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--plugin') {
      const file = argv[++i];
      if (file === undefined)
        throw new UsageError('--plugin: expected a file (a JavaScript module that registers a family)');
      plugins.push(path.resolve(file));
    } else if (arg.startsWith('--plugin=')) plugins.push(path.resolve(arg.slice('--plugin='.length)));
    else break;
  }
  return { plugins, rest: argv.slice(i) };
}

/** Adds `files` to the environment's plugin list (so worker threads see them) and loads every listed plugin. */
export async function loadPlugins(files: readonly string[] = []): Promise<void> {
  const listed = (process.env[PLUGINS_ENV] ?? '').split(path.delimiter).filter(Boolean);
  const all = [...new Set([...listed.map((f) => path.resolve(f)), ...files])];
  if (all.length > 0) process.env[PLUGINS_ENV] = all.join(path.delimiter);
  for (const file of all) {
    if (!fs.existsSync(file))
      throw new UsageError(`--plugin: '${file}' does not exist; give the path of a JavaScript module (.js or .mjs)`);
    await import(pathToFileURL(file).href);
  }
}
