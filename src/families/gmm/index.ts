/** Family `gmm`: a Gaussian mixture refitted by EM (model.ts, em.ts), with the paper's notebook presets. */
import { defineFamily } from '../definition.js';
import { gmmFigures, PAPER_GENERATIONS } from './figures.js';
import { createGmmFamily, gmmMinimum, gmmOptions } from './model.js';

const identity2 = () => [
  [1, 0],
  [0, 1],
];
const paperLoop = {
  generations: 2001,
  samplesPerGeneration: 1000,
  family: { type: 'gmm', components: 2, tolerance: 1e-5, maxIterations: 2000 },
  snapshotGenerations: PAPER_GENERATIONS,
};

export const gmmFamily = defineFamily({
  name: 'gmm',
  description: "a Gaussian mixture refitted by EM (k-means/k-means++/random init, restarts): the paper's notebook",
  sampleKind: 'vectors',
  options: gmmOptions,
  create: createGmmFamily,
  // Measured: an EM generation costs ~20 Gaussian ones per sample.
  weight: 20,
  diversity: 'totalVariance',
  figures: gmmFigures,
  minimumSamples: (options) => gmmMinimum(options),
  presets: {
    gmm: {
      description:
        "The paper's notebook: a 2-component GMM refitted by EM to 1,000 of its own samples; real data one 2-D standard normal. Generations 0..2000.",
      config: { name: 'gmm', ...paperLoop, real: { type: 'gaussian', mean: [0, 0], covariance: identity2() } },
    },
    'gmm-two': {
      description:
        "As 'gmm', but the real data are two separated unit Gaussians at (±3, 0), as the paper's text describes.",
      config: {
        name: 'gmm-two',
        ...paperLoop,
        real: {
          type: 'mixture',
          weights: [0.5, 0.5],
          means: [
            [3, 0],
            [-3, 0],
          ],
          covariances: [identity2(), identity2()],
        },
      },
    },
  },
});
