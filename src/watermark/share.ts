/**
 * Which items of a generation's synthetic set come from watermarking generators (the `watermarkShare`): exactly
 * round(share · count) of them, drawn without replacement from a stream seeded by the watermark key and the
 * generation. The sampler and the `isolate` policy (which needs the truth to report its detector's precision
 * and recall) both derive the set from the config alone, so neither stores it, and a resumed run draws the
 * same items. It depends on the key, not on the run's seed: the watermarking providers are part of the world
 * the key describes.
 */
import { hashString, Rng } from '../core/rng.js';

const PURPOSE = hashString('watermark-share');

/** marked[i] = 1 when item i of generation `generation`'s `count` synthetic items is watermarked. */
export function watermarkedItems(key: number, generation: number, count: number, share: number): Uint8Array {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`watermarkShare must be in [0, 1], got ${share}`);
  const marked = new Uint8Array(count);
  const k = Math.round(share * count);
  if (k === count) return marked.fill(1);
  if (k === 0) return marked;
  const rng = new Rng(key >>> 0, Math.floor(key / 2 ** 32) >>> 0, generation | 0, PURPOSE);
  const picked = rng.sampleWithoutReplacement(count, k);
  for (let i = 0; i < k; i++) marked[picked[i]] = 1;
  return marked;
}
