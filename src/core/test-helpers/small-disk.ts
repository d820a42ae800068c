/**
 * Full disks for tests: a real one (a tmpfs of a few KiB, when the tests run as root and may mount), else an
 * injected `fs.writeSync` that fails with ENOSPC at the Nth write, after writing part of it as a full disk does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';

export interface SmallDisk {
  readonly dir: string;
  /** Grows the disk (as freeing space would), keeping what is on it. */
  resize(bytes: number): void;
  unmount(): void;
}

/** A tmpfs of `bytes` at a fresh folder, or undefined where mounting is not allowed (not root, a container). */
export function mountSmallDisk(bytes: number): SmallDisk | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    fs.rmdirSync(dir);
    return undefined;
  }
  return {
    dir,
    resize: (size) => execFileSync('mount', ['-o', `remount,size=${size}`, dir], { stdio: 'ignore' }),
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      fs.rmdirSync(dir);
    },
  };
}

/**
 * Makes the `n`th call to fs.writeSync from now on (1-based) write only half its bytes, and every later one
 * fail with ENOSPC, as a disk that fills up does. Returns the spy; `mockRestore()` it afterwards.
 */
export function failWritesFrom(n: number) {
  const real = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
  let calls = 0;
  return vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array | string, ...rest: unknown[]) => {
    calls++;
    if (calls < n) return real(fd, data, ...rest);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    if (calls > n || typeof data === 'string') throw full;
    const offset = typeof rest[0] === 'number' ? rest[0] : 0;
    const length = typeof rest[1] === 'number' ? rest[1] : data.byteLength - offset;
    return real(fd, data, offset, Math.floor(length / 2)); // the half that fitted
  }) as typeof fs.writeSync);
}
