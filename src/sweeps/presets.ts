/** Named sweeps: `collapse-lab sweep <name>` runs one of these as if it were a sweep file. */
import type { SweepInput } from './spec.js';

export interface SweepPreset {
  readonly description: string;
  readonly spec: SweepInput;
}

export const SWEEP_PRESETS: Readonly<Record<string, SweepPreset>> = {
  'sweep-keep-real': {
    description:
      "The paper's question: how small a share of real data, kept in every generation, still prevents collapse, at each sample size? The Gaussian and the paper's GMM, 300 generations under mix, 3 seeds a cell.",
    spec: {
      name: 'keep-real',
      config: { generations: 300, policy: { type: 'mix' }, snapshotGenerations: [] },
      grid: {
        'policy.realFraction': [0, 0.01, 0.05, 0.1, 0.2],
        samplesPerGeneration: [50, 200, 1000],
        preset: ['gaussian', 'gmm'],
      },
      seeds: 3,
      // Shared by both families: the sliced Wasserstein-2 distance of the model's samples from the real data.
      report: { metric: 'slicedWasserstein' },
    },
  },
};
