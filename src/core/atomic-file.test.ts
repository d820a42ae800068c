/**
 * Writes are whole or absent, also on a full disk: on a real 64 KiB tmpfs when the tests run as root, and
 * always with an injected writeSync that writes half of one write and then fails, as a filling disk does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyFileAtomic, writeChunksAtomic, writeFileAtomic } from './atomic-file.js';
import { failWritesFrom, mountSmallDisk } from './test-helpers/small-disk.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-atomic-'));
const bytes = (n: number, fill = 7) => Buffer.alloc(n, fill);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('atomic writes', () => {
  it('writes chunks in order as one file, multi-byte characters counted in bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-chunks-'));
    const file = path.join(dir, 'curves.csv');
    writeChunksAtomic(file, ['a,β\n', '', '1,σ²\n']);
    expect(fs.readFileSync(file, 'utf8')).toBe('a,β\n1,σ²\n');
    expect(fs.readdirSync(dir)).toEqual(['curves.csv']);
  });

  it('finishes a write that the OS takes in short pieces', () => {
    const real = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array, offset: number, length: number) =>
      real(fd, data, offset, Math.min(length, 1000))) as typeof fs.writeSync);
    const file = path.join(tmp(), 'big.bin');
    writeFileAtomic(file, bytes(200_000));
    expect(fs.readFileSync(file).equals(bytes(200_000))).toBe(true);
  });

  it('on ENOSPC part-way leaves the old file as it was and no temporary behind (injected fs)', () => {
    const dir = tmp();
    const file = path.join(dir, 'latest.json');
    writeFileAtomic(file, 'old\n');
    failWritesFrom(1);
    expect(() => writeFileAtomic(file, bytes(200_000))).toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    expect(fs.readFileSync(file, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir)).toEqual(['latest.json']);
  });

  const disk = mountSmallDisk(64 * 1024);
  it.skipIf(!disk)('on a full 64 KiB tmpfs publishes nothing truncated and leaves no temporary', () => {
    const small = disk as NonNullable<typeof disk>;
    try {
      const file = path.join(small.dir, 'generation-100.json');
      expect(() => writeFileAtomic(file, bytes(200_000))).toThrow(/ENOSPC/);
      expect(fs.readdirSync(small.dir)).toEqual([]);
      const source = path.join(tmp(), 'weights.bin');
      fs.writeFileSync(source, bytes(200_000));
      expect(() => copyFileAtomic(source, path.join(small.dir, 'model.bin.weights'))).toThrow(/ENOSPC/);
      expect(fs.readdirSync(small.dir)).toEqual([]);
      writeFileAtomic(file, bytes(1000)); // what fits is written whole
      expect(fs.statSync(file).size).toBe(1000);
    } finally {
      small.unmount();
    }
  });
});

describe('atomic writes from several threads', () => {
  it('never share a temporary file: two worker threads writing one target leave it whole, with no error', async () => {
    const { Worker } = await import('node:worker_threads');
    const target = path.join(tmp(), 'shared.json');
    const module = new URL('../../dist/core/atomic-file.js', import.meta.url).href;
    // Each thread writes 300 times a 256 KiB file of its own byte: a shared temporary would be truncated or
    // renamed away under the other's write (a short write or ENOENT), or leave a mix of the two bytes.
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.module).then(({ writeFileAtomic }) => {
        const body = Buffer.alloc(1 << 18, workerData.fill);
        try { for (let i = 0; i < 300; i++) writeFileAtomic(workerData.target, body); parentPort.postMessage('ok'); }
        catch (error) { parentPort.postMessage(String(error)); }
      });`;
    const run = (fill: number) =>
      new Promise<string>((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { module, target, fill } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    expect(await Promise.all([run(1), run(2)])).toEqual(['ok', 'ok']);
    const final = fs.readFileSync(target);
    expect(final.length).toBe(1 << 18);
    expect(new Set(final).size).toBe(1);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['shared.json']);
  });
});
