/**
 * Files the server hands out as they are: the built client (dist/web) and, from run folders, reports and their
 * figures. Only these kinds, each with its type; anything else under the runs folder (checkpoints, locks) is not
 * served.
 */
import fs from 'node:fs';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

/** Kinds served from run folders: a report, its figures and its tables. */
export const REPORT_KINDS = new Set(['.html', '.png', '.svg', '.csv']);

export function contentType(file: string): string | undefined {
  return TYPES[path.extname(file).toLowerCase()];
}

/** The file's bytes if it is a regular file of a served kind, else undefined (the caller answers 404). */
export function readServable(file: string, kinds?: ReadonlySet<string>): Buffer | undefined {
  const ext = path.extname(file).toLowerCase();
  if (contentType(file) === undefined || (kinds && !kinds.has(ext))) return undefined;
  try {
    if (!fs.statSync(file).isFile()) return undefined;
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return undefined;
    throw error;
  }
}
