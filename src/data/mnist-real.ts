/** MNIST's files as a run's real data (mnist-real-data.ts builds it from the sets), read once per process. */
import type { RealData } from '../core/real-data.js';
import type { Rng } from '../core/rng.js';
import type { ImageSamples } from '../core/samples.js';
import { type MnistSet, readMnist } from './mnist.js';
import { type MnistRealConfig, mnistRealDataFrom } from './mnist-real-data.js';

export { type MnistRealConfig, mnistRealSchema } from './mnist-real-data.js';

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
  return mnistRealDataFrom(train, test, config, poolSize, heldOutSize, rng);
}
