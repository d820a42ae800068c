/**
 * Plugins: a user's own modules that call `registerFamily` (or register experiments) through the library API,
 * loaded before a command runs so that the command line knows families living outside this package. They are
 * named by `--plugin FILE` and $COLLAPSE_LAB_PLUGINS (paths separated as in PATH); the flag's paths are added
 * to the environment, so the worker threads of an executor load the same plugins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';

export const PLUGINS_ENV = 'COLLAPSE_LAB_PLUGINS';

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
