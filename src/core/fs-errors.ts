import fs from 'node:fs';

/**
 * File-system errors are user errors: a full disk, a folder without permission, a file where a folder should be.
 * They become a FileSystemError (exit 2) whose message names the path, what went wrong in words and what to do,
 * instead of an internal error with a stack trace.
 */

/** Exit code 2 and a message for people; `cause` keeps the original error. */
export class FileSystemError extends Error {
  override readonly name = 'FileSystemError';
  readonly exitCode = 2;
}

const ADVICE: Readonly<Record<string, { readonly what: string; readonly fix: string }>> = {
  ENOSPC: { what: 'no space left on the device', fix: 'free some space, or choose a folder on another disk' },
  EDQUOT: { what: 'the disk quota is used up', fix: 'free some space, or choose a folder on another disk' },
  EACCES: { what: 'permission denied', fix: 'choose a folder you may write to, or change its permissions' },
  EPERM: { what: 'operation not permitted', fix: 'choose a folder you may write to, or change its permissions' },
  EROFS: { what: 'the file system is read-only', fix: 'choose a folder on a writable disk' },
  EEXIST: { what: 'something is already there', fix: 'remove it, or choose another name' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', fix: 'give a path whose parents are folders' },
  EISDIR: { what: 'it is a folder, not a file', fix: 'give the path of a file' },
  ENOENT: { what: 'no such file or folder', fix: 'check the path' },
  ENAMETOOLONG: { what: 'the name is too long', fix: 'choose a shorter path' },
  EMFILE: { what: 'too many open files', fix: 'raise the limit (ulimit -n) or run fewer processes at once' },
  EIO: { what: 'an input/output error', fix: 'check the disk' },
};

/** The FileSystemError for an fs error (with a code we know), else undefined. `context` is added after the fix. */
export function fileSystemError(error: unknown, context?: string): FileSystemError | undefined {
  if (error instanceof FileSystemError) return error;
  const e = error as NodeJS.ErrnoException | undefined;
  const advice = typeof e?.code === 'string' ? ADVICE[e.code] : undefined;
  if (!advice) return undefined;
  const where = e?.path ? `'${e.path}'` : 'a file';
  const verb = e?.syscall ? `${e.syscall} ${where}` : where;
  const message = `cannot ${verb}: ${advice.what} (${e?.code}); ${advice.fix}${context ? `. ${context}` : ''}`;
  return new FileSystemError(message, { cause: error });
}

/** Names the file a failed low-level write was for (fs.writeSync errors carry only a descriptor). */
export function withPath<E>(error: E, file: string): E {
  const e = error as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && !e.path) e.path = file;
  return error;
}

/** fs.readFileSync, whose errors name the file (EISDIR from a read carries no path of its own). */
export function readFileNamed(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw withPath(error, file);
  }
}
