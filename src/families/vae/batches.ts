/**
 * The training batches of one fit, as PyTorch's shuffled DataLoader makes them: each epoch a fresh permutation,
 * cut into floor(n / B) full batches and one of n mod B (60,000 images, B = 256: 234 of 256 and one of 96).
 *
 * Streamed data (the notebook's protocol): a slot whose item the previous generation made is filled with a
 * fresh image from `draw` (a prior sample through the previous decoder) instead of the stored one, so every
 * epoch trains on new synthetic images and no synthetic image is seen twice. Real items (a `mix` policy's share)
 * and older generations' items (`accumulate`) are used as stored, so a policy's shares hold batch by batch in
 * expectation and exactly over an epoch.
 */
import type { Dataset } from '../../core/dataset.js';
import type { Rng } from '../../core/rng.js';
import type { ImageSamples } from '../../core/samples.js';

/** Index batches of one epoch over n items. */
export function epochBatches(n: number, batchSize: number, rng: Rng): Int32Array[] {
  const order = rng.permutation(n);
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize)
    batches.push(order.subarray(start, Math.min(n, start + batchSize)));
  return batches;
}

export interface Batch {
  /** count images, row-major; the buffer is reused by the next batch. */
  readonly pixels: Float32Array;
  readonly count: number;
  /** How many of them were drawn fresh (streamed). */
  readonly fresh: number;
}

export interface Stream {
  /** Items of this origin are replaced by fresh draws. */
  readonly origin: number;
  /** `count` fresh images, count × imageSize pixels. */
  draw(count: number): Float32Array;
}

export class BatchMaker {
  private readonly size: number;
  private readonly buffer: Float32Array;

  constructor(
    private readonly train: Dataset<ImageSamples>,
    private readonly batchSize: number,
    private readonly rng: Rng,
    private readonly stream?: Stream,
  ) {
    const s = train.samples;
    this.size = s.width * s.height * s.channels;
    this.buffer = new Float32Array(batchSize * this.size);
  }

  get itemCount(): number {
    return this.train.origin.length;
  }

  batchesPerEpoch(): number {
    return Math.ceil(this.itemCount / this.batchSize);
  }

  /** One epoch's batches, in order. */
  *epoch(): Generator<Batch> {
    const { size, buffer } = this;
    const stored = this.train.samples.pixels;
    for (const indices of epochBatches(this.itemCount, this.batchSize, this.rng)) {
      const freshSlots: number[] = [];
      for (let slot = 0; slot < indices.length; slot++) {
        const item = indices[slot];
        if (this.stream && this.train.origin[item] === this.stream.origin) freshSlots.push(slot);
        else buffer.set(stored.subarray(item * size, (item + 1) * size), slot * size);
      }
      if (freshSlots.length > 0) {
        const fresh = (this.stream as Stream).draw(freshSlots.length);
        freshSlots.forEach((slot, k) => {
          buffer.set(fresh.subarray(k * size, (k + 1) * size), slot * size);
        });
      }
      yield { pixels: buffer, count: indices.length, fresh: freshSlots.length };
    }
  }
}
