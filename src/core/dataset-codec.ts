/** Datasets and model states to and from checkpoint bundles, and to plain JSON for samples/ snapshots. */
import type { Bundle } from './bundle.js';
import type { Dataset } from './dataset.js';
import type { ModelState } from './family.js';
import type { Samples } from './samples.js';

export function datasetToBundle(d: Dataset): Bundle {
  const { samples } = d;
  const provenance = { origin: d.origin, index: d.index };
  switch (samples.kind) {
    case 'vectors':
      return { json: { kind: samples.kind, dim: samples.dim }, arrays: { values: samples.values, ...provenance } };
    case 'categories':
      return {
        json: { kind: samples.kind, outcomes: samples.outcomes },
        arrays: { values: samples.values, ...provenance },
      };
    case 'sequences':
      return {
        json: { kind: samples.kind, vocabSize: samples.vocabSize },
        arrays: { tokens: samples.tokens, offsets: samples.offsets, ...provenance },
      };
    case 'images':
      return {
        json: { kind: samples.kind, width: samples.width, height: samples.height, channels: samples.channels },
        arrays: { pixels: samples.pixels, ...provenance },
      };
  }
}

export function bundleToDataset(bundle: Bundle): Dataset {
  const meta = bundle.json as Record<string, number> & { kind: Samples['kind'] };
  const a = bundle.arrays as Record<string, never>;
  const samples = ((): Samples => {
    switch (meta.kind) {
      case 'vectors':
        return { kind: 'vectors', dim: meta.dim, values: a.values };
      case 'categories':
        return { kind: 'categories', outcomes: meta.outcomes, values: a.values };
      case 'sequences':
        return { kind: 'sequences', vocabSize: meta.vocabSize, tokens: a.tokens, offsets: a.offsets };
      case 'images':
        return { kind: 'images', width: meta.width, height: meta.height, channels: meta.channels, pixels: a.pixels };
    }
  })();
  return { samples, origin: a.origin, index: a.index };
}

export function modelStateToBundle(state: ModelState): Bundle {
  return { json: state.json, arrays: state.arrays ?? {}, ...(state.files ? { files: state.files } : {}) };
}

/** The first `limit` items of a sample set as plain JSON (rows of numbers, token lists, or pixel rows). */
export function samplesToJson(s: Samples, limit: number): unknown {
  switch (s.kind) {
    case 'vectors': {
      const n = Math.min(limit, s.values.length / s.dim);
      const rows: number[][] = [];
      for (let i = 0; i < n; i++) rows.push(Array.from(s.values.subarray(i * s.dim, (i + 1) * s.dim)));
      return { kind: s.kind, dim: s.dim, rows };
    }
    case 'categories':
      return { kind: s.kind, outcomes: s.outcomes, values: Array.from(s.values.subarray(0, limit)) };
    case 'sequences': {
      const n = Math.min(limit, s.offsets.length - 1);
      const rows: number[][] = [];
      for (let i = 0; i < n; i++) rows.push(Array.from(s.tokens.subarray(s.offsets[i], s.offsets[i + 1])));
      return { kind: s.kind, vocabSize: s.vocabSize, rows };
    }
    case 'images': {
      const size = s.width * s.height * s.channels;
      const n = Math.min(limit, s.pixels.length / size);
      const rows: number[][] = [];
      for (let i = 0; i < n; i++)
        rows.push(Array.from(s.pixels.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 255)));
      return { kind: s.kind, width: s.width, height: s.height, channels: s.channels, rows };
    }
  }
}

/**
 * A model state as plain JSON (typed arrays as lists), for snapshots people read. Arrays too large to list
 * (network weights, n-gram tables) are left out: the checkpoint holds them, in binary.
 */
export function modelStateToJson(state: ModelState, maxValues = 100_000): unknown {
  const arrays: Record<string, number[]> = {};
  for (const [name, array] of Object.entries(state.arrays ?? {})) {
    if (array.length <= maxValues) arrays[name] = Array.from(array as ArrayLike<number>);
  }
  return { ...(state.json as object), ...arrays };
}
