/**
 * Crash-safe file writes: write a temporary file, fsync it, rename it over the target, fsync the folder. A reader
 * of such a file sees it whole or not at all (readTextIfExists).
 *
 * Whole or absent also on a full disk: `fs.writeSync` may write fewer bytes than asked (a 64 KiB tmpfs takes
 * 65,536 of 200,000 and says so), so every write loops until all bytes are down, the size is checked before the
 * rename, and on any error (ENOSPC, EIO...) the temporary file is removed and the target left as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { withPath } from './fs-errors.js';

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  publish(target, (tmp) => {
    const fd = fs.openSync(tmp, 'w');
    try {
      writeAll(fd, bytes, tmp);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return bytes.byteLength;
  });
}

/**
 * writeFileAtomic for text past one string's limit (V8's is ~512 MiB: a full-size reproduce's curves.csv), written
 * chunk by chunk into the temporary file.
 */
export function writeChunksAtomic(target: string, chunks: Iterable<string>): void {
  publish(target, (tmp) => {
    const fd = fs.openSync(tmp, 'w');
    let total = 0;
    try {
      for (const chunk of chunks) {
        const bytes = Buffer.from(chunk, 'utf8');
        writeAll(fd, bytes, tmp);
        total += bytes.byteLength;
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return total;
  });
}

/** Copies `source` to `target` durably: into a temporary file, fsync, rename, fsync of the folder. */
export function copyFileAtomic(source: string, target: string): void {
  publish(target, (tmp) => {
    fs.copyFileSync(source, tmp);
    const fd = fs.openSync(tmp, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return fs.statSync(source).size;
  });
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes every byte of `bytes` at the file's current position: a short write (a full disk takes what fits) is
 * continued, and one that makes no progress is an error rather than a silent truncation.
 */
export function writeAll(fd: number, bytes: Uint8Array, file: string): void {
  let done = 0;
  while (done < bytes.byteLength) {
    let n: number;
    try {
      n = fs.writeSync(fd, bytes, done, bytes.byteLength - done);
    } catch (error) {
      throw withPath(error, file);
    }
    if (n <= 0) throw shortWriteError(file, done, bytes.byteLength);
    done += n;
  }
}

let written = 0;

/** `make(tmp)` writes the temporary file and returns its intended size; it is renamed over `target` only whole. */
function publish(target: string, make: (tmp: string) => number): void {
  // Unique per process, thread and call: two worker threads (or two writes in flight) never share a temporary.
  const tmp = `${target}.tmp-${process.pid}-${threadId}-${++written}`;
  try {
    const expected = make(tmp);
    const size = fs.statSync(tmp).size;
    if (size !== expected) throw shortWriteError(tmp, size, expected);
    fs.renameSync(tmp, target);
  } catch (error) {
    removeQuietly(tmp);
    // Named by the file the caller asked for, not our temporary.
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && (e.path === undefined || e.path === tmp)) e.path = target;
    throw error;
  }
  fsyncDir(path.dirname(target));
}

/** Best effort: the error that made us clean up is the one to report. */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // left for the next lock holder's clean-up of temporaries
  }
}

function shortWriteError(file: string, written: number, expected: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `ENOSPC: no space left on device, write '${file}' (${written} of ${expected} bytes written)`,
  );
  error.code = 'ENOSPC';
  error.syscall = 'write';
  error.path = file;
  return error;
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
