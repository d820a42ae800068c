/**
 * MNIST as a run's real data: the real pool is a seeded subset of the training images (realSize of them, all by
 * default in the presets), the held-out set the first heldOutSize of the 10,000 test images. Images are
 * 28×28×1 `images` samples with pixels in [0, 1], as torchvision's ToTensor gives them. Built from sets already
 * in memory, so a browser builds the same real data from the bytes it fetched (mnist-real.ts reads the files).
 */
import { z } from 'zod';
import { labelDataset, REAL } from '../core/dataset.js';
import { UsageError } from '../core/errors.js';
import type { RealData } from '../core/real-data.js';
import type { Rng } from '../core/rng.js';
import { type ImageSamples, images, takeSamples } from '../core/samples.js';
import { MNIST_SIDE, type MnistSet } from './mnist-set.js';

export const mnistRealSchema = z
  .object({
    type: z.literal('mnist'),
    /** A folder holding mnist/; otherwise $COLLAPSE_LAB_DATA, then the download cache. */
    dataDir: z.string().min(1).optional(),
    /** Draw the pool from the first N training images only (default: all 60,000): a slice a browser can fetch. */
    trainImages: z.number().int().min(1).max(60_000).optional(),
  })
  .strict();
export type MnistRealConfig = z.infer<typeof mnistRealSchema>;

/** The training and test images a run needs: all of them, or the first `trainImages` and `heldOutSize`. */
export function mnistRealDataFrom(
  train: MnistSet,
  test: MnistSet,
  config: MnistRealConfig,
  poolSize: number,
  heldOutSize: number,
  rng: Rng,
): RealData<ImageSamples> {
  const available = Math.min(config.trainImages ?? train.count, train.count);
  if (config.trainImages !== undefined && config.trainImages > train.count)
    throw new UsageError(`real.trainImages: ${config.trainImages} exceeds the ${train.count} training images given`);
  if (poolSize > available)
    throw new UsageError(
      `realSize: ${poolSize} exceeds the ${available} MNIST training images in use; lower realSize${config.trainImages ? ' or raise real.trainImages' : ''}`,
    );
  if (heldOutSize > test.count)
    throw new UsageError(`heldOutSize: ${heldOutSize} exceeds MNIST's ${test.count} test images; lower heldOutSize`);
  const side = MNIST_SIDE;
  const all = images(train.pixels.subarray(0, available * side * side), side, side);
  const pool = poolSize === available ? all : takeSamples(all, rng.sampleWithoutReplacement(available, poolSize));
  const heldOut = images(test.pixels.subarray(0, heldOutSize * side * side), side, side);
  const slice = config.trainImages === undefined ? '' : ` (the first ${available})`;
  return {
    pool: labelDataset(pool, REAL),
    heldOut,
    dataset: { name: 'mnist', dataDir: config.dataDir },
    description: `MNIST: ${poolSize} of ${available} training images${slice} (28×28), ${heldOutSize} test images held out`,
  };
}
