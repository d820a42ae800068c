/**
 * MNIST as a run's real data: the real pool is a seeded subset of the 60,000 training images (realSize of them,
 * all by default in the presets), the held-out set the first heldOutSize of the 10,000 test images. Images are
 * 28×28×1 `images` samples with pixels in [0, 1], as torchvision's ToTensor gives them.
 */
import { z } from 'zod';
import { labelDataset, REAL } from '../core/dataset.js';
import { UsageError } from '../core/errors.js';
import type { RealData } from '../core/real-data.js';
import type { Rng } from '../core/rng.js';
import { type ImageSamples, images, takeSamples } from '../core/samples.js';
import { MNIST_SIDE, type MnistSet, readMnist } from './mnist.js';

export const mnistRealSchema = z
  .object({
    type: z.literal('mnist'),
    /** A folder holding mnist/; otherwise $COLLAPSE_LAB_DATA, then the download cache. */
    dataDir: z.string().min(1).optional(),
  })
  .strict();
export type MnistRealConfig = z.infer<typeof mnistRealSchema>;

// A run reads the same files for the real data, the family's metrics and (in tests) several runs: parse once.
const loaded = new Map<string, MnistSet>();
export function readMnistCached(split: 'train' | 'test', dataDir?: string): MnistSet {
  const key = `${split}\0${dataDir ?? ''}\0${process.env.COLLAPSE_LAB_DATA ?? ''}`;
  let set = loaded.get(key);
  if (!set) {
    set = readMnist(split, { dataDir });
    loaded.set(key, set);
  }
  return set;
}

export function buildMnistRealData(
  config: MnistRealConfig,
  poolSize: number,
  heldOutSize: number,
  rng: Rng,
): RealData<ImageSamples> {
  const train = readMnistCached('train', config.dataDir);
  const test = readMnistCached('test', config.dataDir);
  if (poolSize > train.count)
    throw new UsageError(`realSize: ${poolSize} exceeds MNIST's ${train.count} training images; lower realSize`);
  if (heldOutSize > test.count)
    throw new UsageError(`heldOutSize: ${heldOutSize} exceeds MNIST's ${test.count} test images; lower heldOutSize`);
  const all = images(train.pixels, MNIST_SIDE, MNIST_SIDE);
  const pool = poolSize === train.count ? all : takeSamples(all, rng.sampleWithoutReplacement(train.count, poolSize));
  const heldOut = images(test.pixels.subarray(0, heldOutSize * MNIST_SIDE * MNIST_SIDE), MNIST_SIDE, MNIST_SIDE);
  return {
    pool: labelDataset(pool, REAL),
    heldOut,
    dataset: { name: 'mnist', dataDir: config.dataDir },
    description: `MNIST: ${poolSize} of ${train.count} training images (28×28), ${heldOutSize} test images held out`,
  };
}
