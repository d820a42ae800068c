/**
 * The playground's VAE trains in the browser on a slice of MNIST, read here from the same verified IDX files as
 * the CLI's `mnist` real data: the first `count` images of a split as raw bytes (784 a image, 0–255, as in the
 * file), then their labels. The page rebuilds the set with data/mnist-set.ts's mnistSetFromBytes, so its pixels
 * are the CLI's to the bit.
 */
import { MNIST_PIXELS, type MnistSplit } from '../data/mnist.js';
import { readMnistCached } from '../data/mnist-real.js';

export interface MnistSlice {
  readonly count: number;
  /** count × 784 pixel bytes, then count label bytes. */
  readonly body: Uint8Array;
  /** The files' sha256, as the Node reader reports it (it names the data, e.g. for a cached classifier). */
  readonly sha256: string;
}

export function mnistSlice(split: MnistSplit, count: number, dataDir?: string): MnistSlice {
  const set = readMnistCached(split, dataDir);
  const n = Math.min(count, set.count);
  const body = new Uint8Array(n * (MNIST_PIXELS + 1));
  for (let i = 0; i < n * MNIST_PIXELS; i++) body[i] = Math.round(set.pixels[i] * 255);
  body.set(set.labels.subarray(0, n), n * MNIST_PIXELS);
  return { count: n, body, sha256: set.sha256 };
}
