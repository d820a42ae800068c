/**
 * A training set: samples plus the provenance of every item, kept as typed arrays beside the data.
 *
 * origin[i] is REAL for an item of the real pool, or the generation whose model made it; index[i] is the item's
 * position in its source set (the real pool, or that generation's synthetic set). Policies move items between
 * sets with `takeItems` and `concatDatasets`, which carry provenance along, so it can never fall out of step.
 */
import { concatSamples, type Samples, sampleCount, takeSamples } from './samples.js';

export const REAL = -1;

export interface Dataset<S extends Samples = Samples> {
  readonly samples: S;
  readonly origin: Int32Array;
  readonly index: Int32Array;
}

/** Labels every item of `samples` as coming from `origin` (REAL or a generation), indexed 0..n-1. */
export function labelDataset<S extends Samples>(samples: S, origin: number): Dataset<S> {
  const n = sampleCount(samples);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  return { samples, origin: new Int32Array(n).fill(origin), index };
}

export function datasetSize(d: Dataset): number {
  return d.origin.length;
}

export function takeItems<S extends Samples>(d: Dataset<S>, indices: ArrayLike<number>): Dataset<S> {
  const n = indices.length;
  const origin = new Int32Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    origin[i] = d.origin[indices[i]];
    index[i] = d.index[indices[i]];
  }
  return { samples: takeSamples(d.samples, indices), origin, index };
}

export function concatDatasets<S extends Samples>(parts: readonly Dataset<S>[]): Dataset<S> {
  const total = parts.reduce((acc, p) => acc + p.origin.length, 0);
  const origin = new Int32Array(total);
  const index = new Int32Array(total);
  let offset = 0;
  for (const p of parts) {
    origin.set(p.origin, offset);
    index.set(p.index, offset);
    offset += p.origin.length;
  }
  return { samples: concatSamples(parts.map((p) => p.samples)), origin, index };
}

/** Share of items whose origin is real (0 for an empty set). */
export function realShare(d: Dataset): number {
  const n = d.origin.length;
  if (n === 0) return 0;
  let real = 0;
  for (let i = 0; i < n; i++) if (d.origin[i] === REAL) real++;
  return real / n;
}

/** How many items each origin contributed: key 'real' or the generation number. */
export function originCounts(d: Dataset): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < d.origin.length; i++) counts.set(d.origin[i], (counts.get(d.origin[i]) ?? 0) + 1);
  return counts;
}

/** Items at `indices` of the virtual concatenation of `parts`, without building the concatenation. */
export function takeAcross<S extends Samples>(parts: readonly Dataset<S>[], indices: ArrayLike<number>): Dataset<S> {
  const starts: number[] = [];
  let total = 0;
  for (const p of parts) {
    starts.push(total);
    total += p.origin.length;
  }
  const byPart: number[][] = parts.map(() => []);
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i];
    if (at < 0 || at >= total) throw new RangeError(`takeAcross: index ${at} outside 0..${total - 1}`);
    let lo = 0;
    let hi = parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    byPart[lo].push(at - starts[lo]);
  }
  const picked = parts.map((p, k) => takeItems(p, byPart[k])).filter((d) => d.origin.length > 0);
  return concatDatasets(picked);
}
