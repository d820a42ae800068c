/**
 * Crash-safe file writes: write a temporary file, fsync it, rename it over the target, fsync the folder. A reader
 * of such a file sees it whole or not at all (readTextIfExists).
 */
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = `${target}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
  fsyncDir(path.dirname(target));
}

/** Copies `source` to `target` durably: into a temporary file, fsync, rename, fsync of the folder. */
export function copyFileAtomic(source: string, target: string): void {
  const tmp = `${target}.tmp-${process.pid}`;
  fs.copyFileSync(source, tmp);
  const fd = fs.openSync(tmp, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
  fsyncDir(path.dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** A file's text, or undefined if it does not exist (yet, or any more). */
export function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Makes a rename durable: the folder entry itself must reach the disk. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic there.
  } finally {
    fs.closeSync(fd);
  }
}
