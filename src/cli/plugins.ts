/**
 * `--plugin FILE` (repeatable, before the command): a user's module to load first (experiments/plugins.ts).
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';

export { loadPlugins, PLUGINS_ENV } from '../experiments/plugins.js';

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
