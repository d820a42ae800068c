import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { deriveRng } from '../core/rng.js';
import { findMnistFile, readMnist } from './mnist.js';
import { buildMnistRealData } from './mnist-real.js';

// CI points COLLAPSE_LAB_DATA at the shared data folder; elsewhere the real-file checks are skipped.
const sharedData = process.env.COLLAPSE_LAB_DATA;
const haveReal = !!sharedData && fs.existsSync(path.join(sharedData, 'mnist', 'train-images-idx3-ubyte.gz'));
if (!haveReal) console.warn('mnist: COLLAPSE_LAB_DATA/mnist not found; skipping the real-file checks');

/** An IDX file: big-endian header (magic, count[, rows, cols]) then bytes. */
function idx(magic: number, dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeInt32BE(magic, 0);
  dims.forEach((d, i) => {
    header.writeInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([header, Buffer.from(data)]);
}

const image = (fill: number) => new Array(784).fill(fill);

describe('MNIST loader', () => {
  let dir: string;
  const saved = { data: process.env.COLLAPSE_LAB_DATA, cache: process.env.COLLAPSE_LAB_CACHE };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-'));
    process.env.COLLAPSE_LAB_DATA = '';
    process.env.COLLAPSE_LAB_CACHE = path.join(dir, 'cache');
  });
  afterEach(() => {
    for (const [key, value] of [
      ['COLLAPSE_LAB_DATA', saved.data],
      ['COLLAPSE_LAB_CACHE', saved.cache],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a test split of three images (pixels 0, 51, 255) and their labels, gzipped or plain. */
  function writeSplit(options: { gzip?: boolean; labels?: number[]; images?: Buffer } = {}) {
    fs.mkdirSync(path.join(dir, 'mnist'), { recursive: true });
    const write = (name: string, bytes: Buffer) =>
      fs.writeFileSync(
        path.join(dir, 'mnist', options.gzip ? name : name.slice(0, -3)),
        options.gzip ? gzipSync(bytes) : bytes,
      );
    const labels = options.labels ?? [7, 0, 9];
    write(
      't10k-images-idx3-ubyte.gz',
      options.images ?? idx(2051, [3, 28, 28], [...image(0), ...image(51), ...image(255)]),
    );
    write('t10k-labels-idx1-ubyte.gz', idx(2049, [labels.length], labels));
  }

  it('reads gzipped and plain IDX files into [0, 1] pixels with their labels', () => {
    for (const gzip of [true, false]) {
      writeSplit({ gzip });
      const set = readMnist('test', { dataDir: dir, verify: false });
      expect(set.count).toBe(3);
      expect(Array.from(set.labels)).toEqual([7, 0, 9]);
      expect(set.pixels.length).toBe(3 * 784);
      expect([set.pixels[0], set.pixels[784], set.pixels[2 * 784 + 783]]).toEqual([0, Math.fround(0.2), 1]);
      fs.rmSync(path.join(dir, 'mnist'), { recursive: true });
    }
  });

  it('names the missing file and the fix', () => {
    expect(() => findMnistFile('train', 'images', { dataDir: dir })).toThrow(UsageError);
    expect(() => findMnistFile('train', 'images', { dataDir: dir })).toThrow(
      /train-images-idx3-ubyte\.gz.*--data-dir.*COLLAPSE_LAB_DATA.*data fetch mnist/s,
    );
  });

  it('rejects a wrong magic number, naming the file', () => {
    writeSplit({ images: idx(2049, [3, 28, 28], image(0)) });
    expect(() => readMnist('test', { dataDir: dir, verify: false })).toThrow(
      /t10k-images-idx3-ubyte'? has magic number 2049, expected 2051/,
    );
  });

  it('rejects a truncated file, naming it', () => {
    writeSplit({ gzip: true, images: idx(2051, [3, 28, 28], [...image(0), ...image(1)]) });
    expect(() => readMnist('test', { dataDir: dir, verify: false })).toThrow(
      /t10k-images-idx3-ubyte\.gz' has 1584 bytes but its header promises 3 items \(2368 bytes\); the file is truncated/,
    );
  });

  it('rejects mismatched image and label counts, naming both files', () => {
    writeSplit({ labels: [1, 2] });
    expect(() => readMnist('test', { dataDir: dir, verify: false })).toThrow(
      /t10k-images-idx3-ubyte' holds 3 images but '.*t10k-labels-idx1-ubyte' holds 2 labels/,
    );
  });

  it('rejects a file whose checksum is not the published one', () => {
    writeSplit({ gzip: true });
    expect(() => readMnist('test', { dataDir: dir })).toThrow(
      /t10k-images-idx3-ubyte\.gz' has sha256 [0-9a-f]{64}, expected 8d422c7b.*gzipped/,
    );
    fs.rmSync(path.join(dir, 'mnist'), { recursive: true });
    writeSplit({ gzip: false });
    expect(() => readMnist('test', { dataDir: dir })).toThrow(/expected 0fa7898d.*decompressed/);
  });

  it.skipIf(!haveReal)('reads the real files: published counts, label shares, pixel mean', () => {
    const train = readMnist('train', { dataDir: sharedData });
    const test = readMnist('test', { dataDir: sharedData });
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    const ones = train.labels.filter((l) => l === 1).length;
    expect(ones).toBe(6742); // the published count of 1s in the training set
    let mean = 0;
    for (const v of train.pixels) mean += v;
    expect(mean / train.pixels.length).toBeCloseTo(0.1307, 4); // torchvision's normalisation constant
    const real = buildMnistRealData({ type: 'mnist', dataDir: sharedData }, 500, 100, deriveRng(1, -1, 'real'));
    expect(real.pool.samples.pixels.length).toBe(500 * 784);
    expect(real.heldOut.pixels.length).toBe(100 * 784);
  });
});
