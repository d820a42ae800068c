/**
 * Family `vae`: a variational autoencoder on images (MNIST), the paper's second learned model. Each generation
 * trains a VAE on images decoded by the previous one; the samples lose their variety and drift towards a few
 * blurred prototypes. The conv VAE is the notebook's (capacity 64, latent 20, batch 256, 30 epochs, Adam 1e-3
 * with coupled weight decay 1e-5); the MLP VAE (784-400-20) is the fast one.
 */
import { defineFamily } from '../definition.js';
import { createVaeFamily } from './family.js';
import { vaeFigures } from './figures.js';
import type { VaeHost } from './host.js';
import { type VaeOptions, vaeOptions } from './options.js';

const mnist = { type: 'mnist' };
const PAPER_SNAPSHOTS = [0, 1, 2, 3, 4, 5, 10, 15, 19];

const paper = {
  name: 'vae-paper',
  generations: 20,
  samplesPerGeneration: 60_000,
  family: { type: 'vae', data: 'streamed' },
  real: mnist,
  snapshotGenerations: PAPER_SNAPSHOTS,
  // The grids come from fixed latents; the snapshot's own samples are for people (1,000 images: ~3 MB of JSON).
  snapshotSize: 1000,
};

/** The `vae` family on a host: Node's (index.ts) or a browser's (src/playground). */
export function defineVaeFamily(host: VaeHost) {
  return defineFamily({
    name: 'vae',
    description: "a VAE on MNIST images (the paper's conv VAE, or an MLP VAE): samples lose variety",
    sampleKind: 'images',
    options: vaeOptions,
    create: (options: VaeOptions) => createVaeFamily(options, host),
    // Per image, one conv VAE generation (30 epochs) is ~10^4 Gaussian fits; the MLP's is ~10x less.
    weight: 10_000,
    // The notebook's measure of variety: the spread of generation 0's encoder means over this generation's samples.
    diversity: 'latentStd',
    figures: vaeFigures,
    presets: {
      'vae-quick': {
        description:
          'An MLP VAE (784-400-20) on 10,000 MNIST images, 10 epochs of batch 128 per generation, streamed from the previous decoder, 8 generations: the digits blur and lose variety (~10 s a generation on one core).',
        config: {
          name: 'vae-quick',
          generations: 8,
          samplesPerGeneration: 10_000,
          heldOutSize: 2000,
          family: { type: 'vae', architecture: 'mlp', epochs: 10, batchSize: 128, data: 'streamed' },
          real: mnist,
          snapshotGenerations: [0, 1, 2, 3, 5, 7],
          snapshotSize: 1000,
        },
      },
      'vae-paper': {
        description:
          "The paper's notebook: the conv VAE (647,081 parameters) for 30 epochs per generation on 60,000 images, each batch fresh prior samples through the previous decoder, 20 generations.",
        config: paper,
      },
      'vae-accumulate': {
        description:
          "vae-paper under accumulate: the real images and every generation's images so far (the previous generation's streamed), for the comparison. Generation g trains on (g + 1) × 60,000 images an epoch, so its time grows with g.",
        config: { ...paper, name: 'vae-accumulate', policy: { type: 'accumulate' } },
      },
    },
  });
}
