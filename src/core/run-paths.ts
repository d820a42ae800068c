/**
 * Paths read from a run folder stay inside it. A crafted folder could name `../../victim/precious.bin`, an
 * absolute path, or hold a symlink that leads out; resume would then read (and, cleaning up, delete) a file
 * that is not the run's. Every path the run store or RunFolder takes from a folder goes through here first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DamagedFileError } from './errors.js';

/**
 * `<dir>/<parts...>`, refused (DamagedFileError naming `what`) if a part is absolute or climbs out with `..`, or
 * if what is there is a symlink (or under one) that resolves outside `dir`. A path that does not exist is
 * returned as is: the caller decides what missing means.
 */
export function insideRunFolder(dir: string, parts: readonly string[], what: string): string {
  for (const part of parts) {
    if (path.isAbsolute(part) || part.split(/[\\/]/).includes('..'))
      throw new DamagedFileError(what, `names '${part}', a path outside the run folder`);
  }
  const full = path.join(dir, ...parts);
  const root = realpathIfExists(dir);
  const real = realpathIfExists(full);
  if (root !== undefined && real !== undefined && real !== root && !real.startsWith(root + path.sep))
    throw new DamagedFileError(what, `'${path.join(...parts)}' leads outside the run folder (to ${real})`);
  return full;
}

function realpathIfExists(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}
