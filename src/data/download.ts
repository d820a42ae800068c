/**
 * Data files that live outside the repository: where to look for them (an explicit folder, COLLAPSE_LAB_DATA, the
 * user cache), how to fetch them (HTTPS to the cache, sha256-checked before they are kept) and how to unpack a
 * zip archive (fflate).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { UsageError } from '../core/errors.js';

export const DATA_ENV = 'COLLAPSE_LAB_DATA';
export const CACHE_ENV = 'COLLAPSE_LAB_CACHE';

/** The per-user cache downloads go to: $COLLAPSE_LAB_CACHE, else $XDG_CACHE_HOME/collapse-lab, else ~/.cache/collapse-lab. */
export function cacheDir(): string {
  const explicit = process.env[CACHE_ENV];
  if (explicit) return path.resolve(explicit);
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg ? xdg : path.join(os.homedir(), '.cache'), 'collapse-lab');
}

/**
 * Folders that may hold data sets, most specific first: the explicit `dataDir` (a --data-dir flag or config
 * field), then $COLLAPSE_LAB_DATA, then the download cache.
 */
export function dataRoots(dataDir?: string): string[] {
  const roots: string[] = [];
  if (dataDir) roots.push(path.resolve(dataDir));
  const env = process.env[DATA_ENV];
  if (env) roots.push(path.resolve(env));
  roots.push(cacheDir());
  return [...new Set(roots)];
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ExpectedFile {
  /** Shown in errors. */
  readonly name: string;
  readonly sha256?: string;
  readonly bytes?: number;
}

/** Throws a UsageError naming the file and the fix when its size or sha256 differs from the published one. */
export function verifyBytes(file: string, bytes: Uint8Array, expected: ExpectedFile, fix: string): void {
  if (expected.bytes !== undefined && bytes.length !== expected.bytes) {
    throw new UsageError(
      `${expected.name}: '${file}' has ${bytes.length} bytes, expected ${expected.bytes}; the file is truncated or corrupt. ${fix}`,
    );
  }
  if (expected.sha256) {
    const actual = sha256Of(bytes);
    if (actual !== expected.sha256) {
      throw new UsageError(
        `${expected.name}: '${file}' has sha256 ${actual}, expected ${expected.sha256}; the file is corrupt or a different release. ${fix}`,
      );
    }
  }
}

/**
 * Downloads `urls` (tried in order) to `target`, keeping the file only if its size and sha256 match. Writes go
 * to a temporary name first, so an interrupted download never leaves a file that looks complete.
 */
export async function downloadVerified(urls: readonly string[], target: string, expected: ExpectedFile): Promise<void> {
  const failures: string[] = [];
  for (const url of urls) {
    let bytes: Uint8Array;
    try {
      const response = await fetch(url, { redirect: 'follow' });
      if (!response.ok) {
        failures.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
      continue;
    }
    try {
      verifyBytes(url, bytes, expected, '');
    } catch (error) {
      failures.push((error as Error).message);
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.download-${process.pid}`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, target);
    return;
  }
  throw new UsageError(
    `could not download ${expected.name}:\n  ${failures.join('\n  ')}\nDownload it by hand to '${target}', or put the data set in a folder and pass --data-dir or set ${DATA_ENV}.`,
  );
}

/** The files of a zip archive (folders left out); a damaged archive is an Error naming what is wrong. */
export function unzip(archive: Uint8Array): Map<string, Uint8Array> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(archive);
  } catch (error) {
    throw new Error(`not a readable zip archive: ${(error as Error).message}`);
  }
  return new Map(Object.entries(entries).filter(([name]) => !name.endsWith('/')));
}
