/**
 * Every path the server takes from a request names something under the runs folder, and nothing else: a name
 * that is absolute, climbs with `..` (also when percent-encoded, which the caller decodes first), holds a NUL or
 * a backslash, or reaches a symlink that resolves outside is refused before anything is opened.
 */
import path from 'node:path';
import { DamagedFileError } from '../core/errors.js';
import { insideRunFolder } from '../core/run-paths.js';

/** A request named something outside the runs folder, or something that is not a plain name: answered 404. */
export class OutsideError extends Error {}

/** The folder or file `relative` (a '/'-separated name from a request) names under `root`. */
export function underRoot(root: string, relative: string): string {
  const parts = relative.split('/').filter((p) => p !== '' && p !== '.');
  if (path.isAbsolute(relative) || /^[A-Za-z]:/.test(relative))
    throw new OutsideError(`'${relative}' is an absolute path; name a file under the served folder`);
  for (const part of parts)
    if (part === '..' || part.includes('\\') || part.includes('\0'))
      throw new OutsideError(`'${relative}' leads outside the served folder`);
  try {
    return insideRunFolder(root, parts, relative); // the symlink check: its real path must stay under root
  } catch (error) {
    if (error instanceof DamagedFileError) throw new OutsideError(`'${relative}' leads outside the served folder`);
    throw error;
  }
}

/** A URL path's segments decoded one by one, so `%2e%2e` and `%2f` are judged as what they decode to. */
export function decodePath(raw: string): string {
  return raw
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new OutsideError(`'${raw}' is not a valid URL path`);
      }
    })
    .map((segment) => (segment.includes('/') ? '..' : segment)) // an encoded slash inside a name: refuse
    .join('/');
}
