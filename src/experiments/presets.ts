/** Named experiments with the paper's defaults. `collapse-lab run <preset>` starts from one of these. */
import type { ExperimentInput } from './config.js';

export interface Preset {
  readonly description: string;
  readonly config: ExperimentInput;
}

const identity2 = () => [
  [1, 0],
  [0, 1],
];
const unitGaussian2d = () => ({ type: 'gaussian' as const, mean: [0, 0], covariance: identity2() });

export const PRESETS: Record<string, Preset> = {
  dice: {
    description: 'A fair six-sided die, 100 rolls per generation: outcomes are lost one by one and never return.',
    config: {
      name: 'dice',
      generations: 200,
      samplesPerGeneration: 100,
      family: { type: 'categorical' },
      real: { type: 'categorical', probabilities: [1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6] },
    },
  },
  categorical: {
    description:
      'Zipf over 1,000 outcomes (exponent 1.1), 10,000 samples per generation: the rare outcomes vanish first.',
    config: {
      name: 'categorical',
      generations: 200,
      samplesPerGeneration: 10_000,
      family: { type: 'categorical' },
      real: { type: 'zipf', outcomes: 1000, exponent: 1.1 },
    },
  },
  gaussian: {
    description: 'One standard normal refitted by MLE to 100 of its own samples, 2,000 generations: variance → 0.',
    config: {
      name: 'gaussian',
      generations: 2000,
      samplesPerGeneration: 100,
      family: { type: 'gaussian', estimator: 'mle' },
      real: { type: 'gaussian', mean: [0], covariance: [[1]] },
    },
  },
  gmm: {
    description:
      "The paper's notebook: a 2-component GMM refitted by EM to 1,000 of its own samples; real data one 2-D standard normal. Generations 0..2000.",
    config: {
      name: 'gmm',
      generations: 2001,
      samplesPerGeneration: 1000,
      family: { type: 'gmm', components: 2, tolerance: 1e-5, maxIterations: 2000 },
      real: unitGaussian2d(),
      snapshotGenerations: [0, 50, 100, 150, 200, 350, 2000],
    },
  },
  'gmm-two': {
    description:
      "As 'gmm', but the real data are two separated unit Gaussians at (±3, 0), as the paper's text describes.",
    config: {
      name: 'gmm-two',
      generations: 2001,
      samplesPerGeneration: 1000,
      family: { type: 'gmm', components: 2, tolerance: 1e-5, maxIterations: 2000 },
      real: {
        type: 'mixture',
        weights: [0.5, 0.5],
        means: [
          [3, 0],
          [-3, 0],
        ],
        covariances: [identity2(), identity2()],
      },
      snapshotGenerations: [0, 50, 100, 150, 200, 350, 2000],
    },
  },
  ngram: {
    description:
      "The paper's language-model protocol with a Kneser–Ney trigram: WikiText-2's 32,634 training blocks of 64 tokens, each generation trained on the previous one's 64-token continuations of every block (ancestral sampling). Generations 0..9.",
    config: {
      name: 'ngram',
      generations: 10,
      samplesPerGeneration: 32_634,
      family: { type: 'ngram', order: 3 },
      real: { type: 'wikitext' },
      snapshotGenerations: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    },
  },
  'ngram-beam': {
    description:
      "As 'ngram' with the paper's decoding: beam search with 5 beams, exactly 64 new tokens and repetition penalty 3.0 (about a minute per generation).",
    config: {
      name: 'ngram-beam',
      generations: 10,
      samplesPerGeneration: 32_634,
      family: { type: 'ngram', order: 3, decoding: { type: 'beam', width: 5, repetitionPenalty: 3 } },
      real: { type: 'wikitext' },
      snapshotGenerations: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    },
  },
  'ngram-quick': {
    description: "As 'ngram' on the first 2,000 blocks (128,000 tokens) of WikiText-2, generations 0..4.",
    config: {
      name: 'ngram-quick',
      generations: 5,
      samplesPerGeneration: 2000,
      family: { type: 'ngram', order: 3 },
      real: { type: 'wikitext' },
      snapshotGenerations: [0, 1, 2, 3, 4],
    },
  },
  mitigations: {
    description:
      'One standard normal refitted by MLE to 100 samples per generation for 500 generations, from a 1,000-item human pool, under filter + feedback; experiments/mitigations.ts runs the same config under every mitigation (replace, mix 10%, accumulate, web, filter, ...) for the comparison.',
    config: {
      name: 'mitigations',
      generations: 500,
      samplesPerGeneration: 100,
      realSize: 1000,
      family: { type: 'gaussian', estimator: 'mle' },
      real: { type: 'gaussian', mean: [0], covariance: [[1]] },
      policy: {
        type: 'filter',
        verifier: 'quality',
        selection: { type: 'band', dropUnlikely: 0.01, dropLikely: 0.05 },
        feedback: { gain: 1, integral: 0.05 },
      },
    },
  },
};

/** Snapshot generations when a config names none: 0, a few spread out logarithmically, and the last. */
export function defaultSnapshots(generations: number): number[] {
  const last = generations - 1;
  const picks = new Set([0, last]);
  for (let g = 1; g < last; g *= 4) picks.add(g);
  return [...picks].sort((a, b) => a - b);
}
