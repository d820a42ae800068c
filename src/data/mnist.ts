/**
 * MNIST (LeCun, Cortes & Burges): the four original IDX files, gzipped (as published) or not. Files are looked up
 * in an explicit data folder, then $COLLAPSE_LAB_DATA, then the download cache, each under `mnist/` or directly;
 * every file is checked against its published sha256 (of the .gz, or of the decompressed bytes for a plain file)
 * before it is parsed, and the parse checks the magic number, the header's counts and the length.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../core/errors.js';
import { cacheDir, DATA_ENV, dataRoots, downloadVerified, sha256Of } from './download.js';

import { MNIST_SIDE, type MnistSet, type MnistSplit, mnistSetFromBytes } from './mnist-set.js';

export { MNIST_PIXELS, MNIST_SIDE, type MnistSet, type MnistSplit } from './mnist-set.js';

interface MnistFileSpec {
  /** The published file name (gzipped). */
  readonly gz: string;
  readonly gzBytes: number;
  readonly gzSha256: string;
  /** sha256 of the decompressed IDX bytes, to check a file kept ungzipped. */
  readonly rawSha256: string;
  readonly magic: number;
  readonly count: number;
}

// From the data folder's SOURCE.md (sizes and md5s match the MNIST page).
const FILES: Readonly<Record<MnistSplit, { images: MnistFileSpec; labels: MnistFileSpec }>> = {
  train: {
    images: {
      gz: 'train-images-idx3-ubyte.gz',
      gzBytes: 9_912_422,
      gzSha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      rawSha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
      magic: 2051,
      count: 60_000,
    },
    labels: {
      gz: 'train-labels-idx1-ubyte.gz',
      gzBytes: 28_881,
      gzSha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      rawSha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
      magic: 2049,
      count: 60_000,
    },
  },
  test: {
    images: {
      gz: 't10k-images-idx3-ubyte.gz',
      gzBytes: 1_648_877,
      gzSha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      rawSha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
      magic: 2051,
      count: 10_000,
    },
    labels: {
      gz: 't10k-labels-idx1-ubyte.gz',
      gzBytes: 4_542,
      gzSha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
      rawSha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
      magic: 2049,
      count: 10_000,
    },
  },
};

/** The mirror torchvision uses first, then the original page (often unavailable). */
export const MNIST_URLS = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];
const FOLDER = 'mnist';

export interface MnistOptions {
  /** A folder holding `mnist/` or the files themselves. */
  readonly dataDir?: string;
  /** Check sha256 against the published files (default true); off for files a test writes. */
  readonly verify?: boolean;
}

const FETCH_HINT = `or fetch them into the cache with 'collapse-lab data fetch mnist'`;

/** Where one file lives: the first root holding `mnist/<name>` or `<name>`, gzipped or not. */
export function findMnistFile(split: MnistSplit, which: 'images' | 'labels', options: MnistOptions = {}): string {
  const name = FILES[split][which].gz;
  const plain = name.slice(0, -3);
  const roots = dataRoots(options.dataDir);
  for (const root of roots)
    for (const dir of [path.join(root, FOLDER), root])
      for (const file of [name, plain]) {
        const candidate = path.join(dir, file);
        if (fs.existsSync(candidate)) return candidate;
      }
  throw new UsageError(
    `MNIST: '${name}' was not found in ${roots.map((r) => `'${path.join(r, FOLDER)}'`).join(', ')}. ` +
      `Put the four MNIST files in DIR/${FOLDER}/ and pass --data-dir DIR (or set ${DATA_ENV}=DIR), ${FETCH_HINT}.`,
  );
}

/** Reads one split: images and labels, checked against each other and against the published files. */
export function readMnist(split: MnistSplit, options: MnistOptions = {}): MnistSet {
  const spec = FILES[split];
  const verify = options.verify ?? true;
  const images = readIdx(findMnistFile(split, 'images', options), spec.images, verify);
  const labels = readIdx(findMnistFile(split, 'labels', options), spec.labels, verify);
  if (images.count !== labels.count) {
    throw new UsageError(
      `MNIST ${split}: '${images.file}' holds ${images.count} images but '${labels.file}' holds ${labels.count} labels; the two files must come from the same release`,
    );
  }
  for (let i = 0; i < labels.count; i++)
    if (labels.data[i] > 9)
      throw new UsageError(`MNIST ${split}: '${labels.file}' has label ${labels.data[i]} at ${i}`);
  return mnistSetFromBytes(images.data, labels.data, sha256Of(Buffer.from(images.sha + labels.sha)));
}

interface IdxFile {
  readonly file: string;
  readonly count: number;
  readonly data: Uint8Array;
  readonly sha: string;
}

/**
 * One IDX file: big-endian int32 magic (2049 labels, 2051 images), count, then rows and columns for images,
 * then unsigned bytes. Gzip is recognised by its own magic bytes, not the name.
 */
export function readIdx(file: string, spec: Pick<MnistFileSpec, 'magic'> & Partial<MnistFileSpec>, verify: boolean) {
  const stored = fs.readFileSync(file);
  const gzipped = stored.length >= 2 && stored[0] === 0x1f && stored[1] === 0x8b;
  const fix = `Replace '${file}' with the published MNIST file (delete it and run 'collapse-lab data fetch mnist', or copy a good one).`;
  let bytes: Uint8Array;
  try {
    bytes = gzipped ? gunzipSync(stored) : stored;
  } catch (error) {
    throw new UsageError(`MNIST: '${file}' is not a valid gzip file (${(error as Error).message}). ${fix}`);
  }
  const sha = sha256Of(stored);
  if (verify && spec.gzSha256 && spec.rawSha256) {
    const expected = gzipped ? spec.gzSha256 : spec.rawSha256;
    const actual = gzipped ? sha : sha256Of(bytes);
    if (actual !== expected)
      throw new UsageError(
        `MNIST: '${file}' has sha256 ${actual}, expected ${expected} (${gzipped ? 'gzipped' : 'decompressed'}); the file is corrupt or a different release. ${fix}`,
      );
  }
  const image = spec.magic === 2051;
  const headerBytes = image ? 16 : 8;
  if (bytes.length < headerBytes)
    throw new UsageError(
      `MNIST: '${file}' has ${bytes.length} bytes, fewer than its ${headerBytes}-byte header. ${fix}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getInt32(0);
  if (magic !== spec.magic)
    throw new UsageError(
      `MNIST: '${file}' has magic number ${magic}, expected ${spec.magic} (${image ? 'images' : 'labels'}); it is not an IDX ${image ? 'image' : 'label'} file. ${fix}`,
    );
  const count = view.getInt32(4);
  const itemBytes = image ? view.getInt32(8) * view.getInt32(12) : 1;
  if (image && (view.getInt32(8) !== MNIST_SIDE || view.getInt32(12) !== MNIST_SIDE))
    throw new UsageError(
      `MNIST: '${file}' holds ${view.getInt32(8)}×${view.getInt32(12)} images; MNIST's are ${MNIST_SIDE}×${MNIST_SIDE}. ${fix}`,
    );
  const expectedLength = headerBytes + count * itemBytes;
  if (count < 0 || bytes.length !== expectedLength)
    throw new UsageError(
      `MNIST: '${file}' has ${bytes.length} bytes but its header promises ${count} items (${expectedLength} bytes); the file is truncated or corrupt. ${fix}`,
    );
  return { file, count, data: bytes.subarray(headerBytes), sha } satisfies IdxFile;
}

/**
 * Fetches the four files into `<to>/mnist/` (default: the user cache) and returns that folder; files already
 * present and intact are kept. The only function here that touches the network.
 */
export async function downloadMnist(options: { to?: string } = {}): Promise<string> {
  const folder = path.join(options.to ?? cacheDir(), FOLDER);
  for (const split of ['train', 'test'] as const)
    for (const which of ['images', 'labels'] as const) {
      const spec = FILES[split][which];
      const target = path.join(folder, spec.gz);
      if (fs.existsSync(target) && sha256Of(fs.readFileSync(target)) === spec.gzSha256) continue;
      await downloadVerified(
        MNIST_URLS.map((base) => base + spec.gz),
        target,
        { name: spec.gz, bytes: spec.gzBytes, sha256: spec.gzSha256 },
      );
    }
  return folder;
}
