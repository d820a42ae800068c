/**
 * The kinds of sample a model family works on, each stored as flat typed arrays (never an object per item),
 * with the two operations the loop and the policies need: take a subset, and concatenate sets.
 */

/** n points in d dimensions, row-major. */
export interface VectorSamples {
  readonly kind: 'vectors';
  readonly dim: number;
  readonly values: Float64Array;
}

/** n draws of an outcome in 0..outcomes-1. */
export interface CategorySamples {
  readonly kind: 'categories';
  readonly outcomes: number;
  readonly values: Int32Array;
}

/** n token sequences of varying length: sequence i is tokens[offsets[i] .. offsets[i+1]). */
export interface SequenceSamples {
  readonly kind: 'sequences';
  readonly vocabSize: number;
  readonly tokens: Int32Array;
  readonly offsets: Int32Array;
}

/** n images of width × height × channels values in [0, 1], row-major per image. */
export interface ImageSamples {
  readonly kind: 'images';
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Float32Array;
}

export type Samples = VectorSamples | CategorySamples | SequenceSamples | ImageSamples;
export type SampleKind = Samples['kind'];

export function vectors(values: Float64Array, dim: number): VectorSamples {
  if (dim < 1 || values.length % dim !== 0) {
    throw new RangeError(`vectors: ${values.length} values do not split into rows of dimension ${dim}`);
  }
  return { kind: 'vectors', dim, values };
}

export function categories(values: Int32Array, outcomes: number): CategorySamples {
  return { kind: 'categories', outcomes, values };
}

export function sequences(tokens: Int32Array, offsets: Int32Array, vocabSize: number): SequenceSamples {
  return { kind: 'sequences', vocabSize, tokens, offsets };
}

export function images(pixels: Float32Array, width: number, height: number, channels = 1): ImageSamples {
  return { kind: 'images', width, height, channels, pixels };
}

function imageSize(s: ImageSamples): number {
  return s.width * s.height * s.channels;
}

/** Number of items in a sample set. */
export function sampleCount(s: Samples): number {
  switch (s.kind) {
    case 'vectors':
      return s.values.length / s.dim;
    case 'categories':
      return s.values.length;
    case 'sequences':
      return s.offsets.length - 1;
    case 'images':
      return s.pixels.length / imageSize(s);
  }
}

/** Gathers items at `indices` into a new set of the same kind. */
export function takeSamples<S extends Samples>(s: S, indices: ArrayLike<number>): S {
  const n = indices.length;
  switch (s.kind) {
    case 'vectors': {
      const d = s.dim;
      const out = new Float64Array(n * d);
      for (let i = 0; i < n; i++) out.set(s.values.subarray(indices[i] * d, indices[i] * d + d), i * d);
      return vectors(out, d) as S;
    }
    case 'categories': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = s.values[indices[i]];
      return categories(out, s.outcomes) as S;
    }
    case 'sequences': {
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const j = indices[i];
        offsets[i + 1] = offsets[i] + s.offsets[j + 1] - s.offsets[j];
      }
      const tokens = new Int32Array(offsets[n]);
      for (let i = 0; i < n; i++) {
        const j = indices[i];
        tokens.set(s.tokens.subarray(s.offsets[j], s.offsets[j + 1]), offsets[i]);
      }
      return sequences(tokens, offsets, s.vocabSize) as S;
    }
    case 'images': {
      const size = imageSize(s);
      const out = new Float32Array(n * size);
      for (let i = 0; i < n; i++) out.set(s.pixels.subarray(indices[i] * size, indices[i] * size + size), i * size);
      return images(out, s.width, s.height, s.channels) as S;
    }
  }
}

/** Concatenates sets of one kind and shape, in order. */
export function concatSamples<S extends Samples>(parts: readonly S[]): S {
  if (parts.length === 0) throw new RangeError('concatSamples needs at least one part');
  const first = parts[0];
  for (const p of parts) assertSameShape(first, p);
  switch (first.kind) {
    case 'vectors':
      return vectors(
        concatTyped(
          parts.map((p) => (p as VectorSamples).values),
          Float64Array,
        ),
        first.dim,
      ) as S;
    case 'categories':
      return categories(
        concatTyped(
          parts.map((p) => (p as CategorySamples).values),
          Int32Array,
        ),
        first.outcomes,
      ) as S;
    case 'sequences': {
      const seqs = parts as readonly SequenceSamples[];
      const tokens = concatTyped(
        seqs.map((p) => p.tokens.subarray(p.offsets[0], p.offsets[p.offsets.length - 1])),
        Int32Array,
      );
      const count = seqs.reduce((acc, p) => acc + p.offsets.length - 1, 0);
      const offsets = new Int32Array(count + 1);
      let k = 0;
      let base = 0;
      for (const p of seqs) {
        for (let i = 1; i < p.offsets.length; i++) offsets[++k] = base + p.offsets[i] - p.offsets[0];
        base += p.offsets[p.offsets.length - 1] - p.offsets[0];
      }
      return sequences(tokens, offsets, first.vocabSize) as S;
    }
    case 'images':
      return images(
        concatTyped(
          parts.map((p) => (p as ImageSamples).pixels),
          Float32Array,
        ),
        first.width,
        first.height,
        first.channels,
      ) as S;
  }
}

function assertSameShape(a: Samples, b: Samples): void {
  const shape = (s: Samples) => {
    switch (s.kind) {
      case 'vectors':
        return `vectors(dim ${s.dim})`;
      case 'categories':
        return `categories(${s.outcomes})`;
      case 'sequences':
        return `sequences(vocab ${s.vocabSize})`;
      case 'images':
        return `images(${s.width}x${s.height}x${s.channels})`;
    }
  };
  if (shape(a) !== shape(b)) throw new TypeError(`cannot combine ${shape(a)} with ${shape(b)}`);
}

type TypedArrayCtor<T> = { new (length: number): T };
function concatTyped<T extends Float64Array | Float32Array | Int32Array>(parts: T[], ctor: TypedArrayCtor<T>): T {
  const total = parts.reduce((acc, p) => acc + p.length, 0);
  const out = new ctor(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p as never, offset);
    offset += p.length;
  }
  return out;
}
