/**
 * Families `external-vectors` and `external-images`: the user's trainer on fixed-shape float items (points, or
 * images with values in [0, 1], e.g. a PyTorch VAE on a GPU). Each generation is measured by the per-item
 * log-likelihood (or the trainer's bound on it, an ELBO) of held-out real items, that of its own samples under
 * generation 0's model, the samples' spread, and their sliced 2-Wasserstein distance to held-out real items.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { Metrics, ModelFamily } from '../../core/family.js';
import type { RealData } from '../../core/real-data.js';
import { hashString, Rng } from '../../core/rng.js';
import { type ImageSamples, images, sampleCount, type VectorSamples, vectors } from '../../core/samples.js';
import { randomDirections, slicedW2, sortedProjections } from '../../metrics/sliced-wasserstein.js';
import { imageGridPng, pngDataUrl } from '../../plots/png.js';
import { assertValues, type Dtype, readArray, writeArray } from './bulk-files.js';
import { assertRunnable } from './command-check.js';
import { trainerFields } from './options.js';
import { type ExternalModel, Trainer } from './trainer.js';
import { fitModel, trainerMetrics } from './verbs.js';

const arrayFields = {
  ...trainerFields,
  /** Random directions of the sliced Wasserstein distance. */
  slicedProjections: z.number().int().min(1).max(1000).default(50),
};
export const externalVectorOptions = z.object({ type: z.literal('external-vectors'), ...arrayFields }).strict();
export const externalImageOptions = z.object({ type: z.literal('external-images'), ...arrayFields }).strict();
export type ExternalArrayOptions = z.infer<typeof externalVectorOptions> | z.infer<typeof externalImageOptions>;

type ArraySamples = VectorSamples | ImageSamples;

/** Item shape, flat values and the dtype that carries them (vectors stay float64, images are float32). */
function layout(s: ArraySamples): {
  shape: number[];
  values: Float64Array | Float32Array;
  dtype: Extract<Dtype, 'float32' | 'float64'>;
} {
  return s.kind === 'vectors'
    ? { shape: [s.dim], values: s.values, dtype: 'float64' as const }
    : { shape: [s.channels, s.height, s.width], values: s.pixels, dtype: 'float32' as const };
}

function itemFile(trainer: Trainer, name: string, s: ArraySamples) {
  const { shape, values, dtype } = layout(s);
  const ext = dtype === 'float64' ? 'f64' : 'f32';
  return { values: writeArray(trainer.ioFile(`${name}.${ext}`), values), dtype, count: sampleCount(s), shape };
}

/** The same kind and shape as `like`, holding `values`. */
function like<S extends ArraySamples>(template: S, values: Float64Array | Float32Array): S {
  if (template.kind === 'vectors') return vectors(values as Float64Array, template.dim) as S;
  return images(values as Float32Array, template.width, template.height, template.channels) as S;
}

/** Mean over coordinates of the standard deviation across items: how varied the samples are. */
function spread(values: ArrayLike<number>, dim: number): number {
  const n = values.length / dim;
  if (n < 2) return 0;
  let total = 0;
  for (let j = 0; j < dim; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i * dim + j];
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (values[i * dim + j] - mean) ** 2;
    total += Math.sqrt(squares / (n - 1));
  }
  return total / dim;
}

const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
const GRID = 10;

export function createExternalArrayFamily<S extends ArraySamples>(
  options: ExternalArrayOptions,
): ModelFamily<S, ExternalModel> {
  assertRunnable(options);
  const kind = options.type === 'external-vectors' ? 'vectors' : 'images';
  const trainer = new Trainer(options, kind);
  let template: S | undefined;
  // Projections of the held-out set on fixed directions: computed once per real data set.
  const references = new WeakMap<RealData<S>, { directions: Float64Array; sorted: Float64Array[] }>();
  const referenceOf = (real: RealData<S>, dim: number) => {
    let ref = references.get(real);
    if (!ref) {
      const directions = randomDirections(dim, options.slicedProjections, new Rng(hashString('external-sliced-w2')));
      const held = Float64Array.from(layout(real.heldOut).values);
      ref = { directions, sorted: sortedProjections(held, dim, directions) };
      references.set(real, ref);
    }
    return ref;
  };

  const generate = (model: ExternalModel, count: number, seed: number): Promise<S> =>
    trainer.run([model], async (send) => {
      const t = template as S;
      const { shape, dtype } = layout(t);
      const out = trainer.ioFile(`generated.${dtype === 'float64' ? 'f64' : 'f32'}`);
      fs.rmSync(out, { force: true });
      await send('generate', { model: model.id, count, seed, out: { values: out, dtype, shape } });
      const values = readArray(out, dtype, count * shape.reduce((a, b) => a * b, 1));
      if (kind === 'images') assertValues(values, 'generated pixel', 0, 1);
      else assertValues(values, 'generated value');
      return like(t, values);
    });

  const score = (model: ExternalModel, samples: S): Promise<Float64Array> =>
    trainer.run([model], async (send) => {
      const out = trainer.ioFile('scores.f64');
      fs.rmSync(out, { force: true });
      await send('score', { model: model.id, items: itemFile(trainer, 'scored', samples), per: 'item', out });
      const scores = readArray(out, 'float64', sampleCount(samples));
      assertValues(scores, 'item log-likelihood');
      return scores;
    });

  return {
    name: options.type,
    sampleKind: kind,
    async open(ctx) {
      template = ctx.real.heldOut;
      const { shape } = layout(ctx.real.heldOut);
      await trainer.open(ctx.scratch, ctx.runDir, () => ({ shape }), ctx.signal);
    },
    close: () => trainer.close(),
    fit: (train, ctx) => fitModel(trainer, options, ctx, itemFile(trainer, 'train', train.samples)),
    sample: (model, count, ctx) => generate(model, count, ctx.rng.nextUint32()),
    score,
    async evaluate(model, ctx): Promise<Metrics> {
      const { values, shape } = layout(ctx.synthetic);
      const dim = shape.reduce((a, b) => a * b, 1);
      const ref = referenceOf(ctx.real, dim);
      return {
        testLogLikelihood: mean(await score(model, ctx.real.heldOut)),
        syntheticLogLikelihood0: mean(await score(ctx.generationZero, ctx.synthetic)),
        sampleSpread: spread(values, dim),
        slicedW2: slicedW2(Float64Array.from(values), dim, ref.directions, ref.sorted),
        ...trainerMetrics(model),
      };
    },
    // People see a grid of 100 images drawn with one fixed seed, the same every generation.
    async snapshot(model) {
      if (kind !== 'images') return {};
      const grid = (await generate(model, GRID * GRID, hashString('external-grid'))) as ImageSamples;
      if (grid.channels !== 1) return {};
      return { sampleGrid: pngDataUrl(imageGridPng(grid.pixels, grid.width, grid.height, GRID, GRID)) };
    },
    saveModel: async (model) => trainer.state(model),
    loadModel: async (state) => trainer.restore(state, 'restored'),
    dispose: (model) => trainer.release(model),
  };
}
