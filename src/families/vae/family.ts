/**
 * The `vae` ModelFamily: fit a VAE per generation (fresh, or fine-tuned from the previous one) on a fixed set or
 * on images streamed from the previous decoder, sample from the prior, and measure. Every random draw comes from
 * the loop's derived streams (engine seeds are drawn from them), so a run is reproducible bit for bit and a
 * resumed run matches an uninterrupted one.
 */
import type { Dataset } from '../../core/dataset.js';
import type { ModelFamily } from '../../core/family.js';
import type { RealData } from '../../core/real-data.js';
import { hashString, Rng } from '../../core/rng.js';
import { type ImageSamples, images } from '../../core/samples.js';
import { MNIST_PIXELS } from '../../data/mnist-set.js';
import { imageGridPng, pngDataUrl } from '../../plots/png.js';
import { BatchMaker, type Stream } from './batches.js';
import type { Judge, VaeHost } from './host.js';
import { diversity, elboPerImage, latentStatistics, mean } from './metrics.js';
import {
  copyVae,
  createVae,
  decodeMeans,
  disposeVae,
  generateImages,
  loadVae,
  netSpec,
  saveVae,
  type VaeModel,
} from './model.js';
import type { VaeOptions } from './options.js';
import { trainVae } from './train.js';

/** The notebook prints its latent statistics on 100 prior samples. */
const NOTEBOOK_PROBE = 100;
const GRID = 10;

/** The grid's latents: one fixed set for every generation and run, so the figure shows the same z drifting. */
export function gridLatents(latent: number): Float32Array {
  const rng = new Rng(hashString('vae-sample-grid'));
  return Float32Array.from({ length: GRID * GRID * latent }, () => rng.normal());
}

/** Images the classifier judges per generation (the first of the synthetic set). */
const JUDGED = 10_000;

export function createVaeFamily(options: VaeOptions, host: VaeHost): ModelFamily<ImageSamples, VaeModel> {
  const engine = () => host.engine(options.backend);
  // Built on first use and kept for the family's life: the classifier and the real features never change.
  let judge: Judge | undefined | null = null;
  const judgeFor = (real: RealData<ImageSamples>): Judge | undefined => {
    if (!options.classifier) return undefined;
    if (judge === null) judge = host.judge?.(engine(), real);
    return judge;
  };
  return {
    name: 'vae',
    sampleKind: 'images',

    async fit(train: Dataset<ImageSamples>, ctx) {
      const spec = netSpec(options, train.samples);
      // Four independent seeds, always drawn in this order, whatever the options.
      const initSeed = ctx.rng.nextUint32();
      const noiseSeed = ctx.rng.nextUint32();
      const shuffle = new Rng(ctx.rng.nextUint32());
      const streamRng = new Rng(ctx.rng.nextUint32());
      const previous = ctx.previous;
      const model =
        options.init === 'previous' && previous ? copyVae(engine(), previous) : createVae(engine(), spec, initSeed);
      let stream: Stream | undefined;
      if (options.data === 'streamed' && previous && ctx.generation > 0)
        stream = {
          origin: ctx.generation - 1,
          draw: (count) => generateImages(previous, count, streamRng, options.synthetic),
        };
      const batches = new BatchMaker(train, options.batchSize, shuffle, stream);
      try {
        model.trainLoss = await trainVae(model, batches, options, noiseSeed, ctx.progress, ctx.signal);
      } catch (error) {
        disposeVae(model);
        throw error;
      }
      return model;
    },

    async sample(model, count, ctx) {
      const { width, height, channels } = model.spec;
      return images(generateImages(model, count, ctx.rng, options.synthetic), width, height, channels);
    },

    async evaluate(model, ctx) {
      const small = latentStatistics(model, ctx.generationZero, NOTEBOOK_PROBE, ctx.rng);
      const large = latentStatistics(model, ctx.generationZero, options.latentProbe, ctx.rng);
      const test = elboPerImage(model, ctx.real.heldOut, ctx.rng.nextUint32());
      const variety = diversity(engine(), ctx.synthetic, options.diversitySamples);
      const j = judgeFor(ctx.real);
      const count = Math.min(JUDGED, ctx.synthetic.pixels.length / MNIST_PIXELS);
      const judged = j ? j.measure(ctx.synthetic.pixels, count) : {};
      return {
        trainLoss: model.trainLoss ?? null,
        latentMean100: small.mean,
        latentStd100: small.std,
        latentMean: large.mean,
        latentStd: large.std,
        testElbo: mean(test.elbo),
        testBce: mean(test.bce),
        testKl: mean(test.kl),
        ...variety,
        ...judged,
      };
    },

    async score(model, samples) {
      // A fixed noise seed: the same image always gets the same score.
      return elboPerImage(model, samples, hashString('vae-score')).elbo;
    },

    async snapshot(model) {
      const { width, height, channels } = model.spec;
      if (channels !== 1) return {};
      const pixels = decodeMeans(model, gridLatents(model.spec.latent), GRID * GRID);
      return { sampleGrid: pngDataUrl(imageGridPng(pixels, width, height, GRID, GRID)) };
    },

    async saveModel(model) {
      return saveVae(model);
    },
    async loadModel(state) {
      return loadVae(engine(), state);
    },
    async dispose(model) {
      disposeVae(model);
    },
  };
}
