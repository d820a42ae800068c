/**
 * The playground's VAE trains in the browser on a slice of MNIST: the first `count` training images as raw bytes
 * (784 per image, 0–255), read from the same verified IDX files as the CLI's `mnist` real data.
 */
import { MNIST_PIXELS } from '../data/mnist.js';
import { readMnistCached } from '../data/mnist-real.js';

export const MNIST_SLICE_MAX = 10_000;

export function mnistSlice(count: number, dataDir?: string): Uint8Array {
  const set = readMnistCached('train', dataDir);
  const n = Math.min(count, MNIST_SLICE_MAX);
  const out = new Uint8Array(n * MNIST_PIXELS);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(set.pixels[i] * 255);
  return out;
}
