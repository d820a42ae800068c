/**
 * A config's trainer command checked before anything is written: a program that is not there (or not
 * executable) and a working folder that does not exist are usage errors naming the field, not a run folder
 * that fails at its first request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { TrainerOptions } from './options.js';

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The program as the child process would find it: a path (from cwd), or a name on $PATH. */
function findProgram(program: string, cwd: string): string | undefined {
  if (program.includes('/') || program.includes(path.sep)) {
    const file = path.resolve(cwd, program);
    return executable(file) ? file : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, program))) return path.join(dir, program);
  }
  return undefined;
}

export function assertRunnable(options: Pick<TrainerOptions, 'command' | 'cwd'>): void {
  const cwd = options.cwd ?? process.cwd();
  if (options.cwd && !fs.existsSync(options.cwd))
    throw new UsageError(`family.cwd: folder '${options.cwd}' does not exist; give the trainer's working folder`);
  const [program] = options.command;
  if (!findProgram(program, cwd))
    throw new UsageError(
      `family.command[0]: '${program}' is not an executable program ${program.includes('/') ? `(from ${cwd})` : 'on PATH'}; give the interpreter or program that starts your trainer, e.g. ["python3", "train.py"]${program.endsWith('python3') ? ' (a Python with torch: apt-get install python3-torch, or set COLLAPSE_LAB_PYTHON for the presets)' : ''}`,
    );
}
