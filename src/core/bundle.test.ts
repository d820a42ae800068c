/** Checkpoint files carry their length and a checksum: a torn or garbled one is told apart from a whole one. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBundle, encodeBundle } from './bundle.js';
import { RunFolder } from './run-folder.js';

const bundle = {
  json: { family: 'gaussian', note: 'ü' },
  arrays: { mean: Float64Array.of(0.5, -1), counts: Int32Array.of(1, 2, 3), bytes: Uint8Array.of(9) },
};

describe('checkpoint bundles', () => {
  it('round-trips exactly', () => {
    const decoded = decodeBundle(encodeBundle(bundle), 'model-g1.bin');
    expect(decoded.json).toEqual(bundle.json);
    expect(decoded.arrays).toEqual(bundle.arrays);
  });

  it('refuses every truncation and every single flipped byte, naming the file', () => {
    const bytes = encodeBundle(bundle);
    for (let n = 0; n < bytes.length; n++)
      expect(() => decodeBundle(bytes.subarray(0, n), 'model-g1.bin'), `cut at ${n}`).toThrow(
        /^model-g1\.bin: .*; the run folder is damaged$/,
      );
    for (let i = 0; i < bytes.length; i++) {
      const garbled = Buffer.from(bytes);
      garbled[i] ^= 0x20;
      expect(() => decodeBundle(garbled, 'model-g1.bin'), `byte ${i}`).toThrow(/model-g1\.bin: /);
    }
    expect(() => decodeBundle(Buffer.concat([bytes, Buffer.of(0)]), 'f')).toThrow(/truncated or extended/);
  });

  it('reads version-1 files (written before checksums) from an old run folder', () => {
    const file = path.resolve('test/fixtures/old-format-run/checkpoints/model-g6.bin');
    const decoded = decodeBundle(fs.readFileSync(file), file);
    expect(decoded.json).toMatchObject({ family: 'gaussian' });
    expect(() => decodeBundle(fs.readFileSync(file).subarray(0, 40), file)).toThrow(/damaged/);
  });
});

describe('a fit’s progress inside a generation (FitContext.resumable)', () => {
  it('reads back whole, reads a damaged file as none (the fit starts over), and goes once a checkpoint covers it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fit-progress-'));
    const run = RunFolder.create(root, 'fit-progress', { name: 'fit-progress' });
    run.writeFitProgress(3, bundle);
    run.writeFitProgress(5, bundle);
    expect(run.readFitProgress(3)?.json).toEqual(bundle.json);
    expect(run.readFitProgress(4)).toBeUndefined();
    const file = run.path('checkpoints', 'fit-g5.bin');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(file, bytes);
    expect(run.readFitProgress(5)).toBeUndefined();
    run.removeFitProgress(3);
    expect(fs.readdirSync(run.path('checkpoints')).filter((f) => f.startsWith('fit-'))).toEqual(['fit-g5.bin']);
    run.removeAllCheckpoints();
    expect(fs.readdirSync(run.path('checkpoints')).filter((f) => f.startsWith('fit-'))).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
