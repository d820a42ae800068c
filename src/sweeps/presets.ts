/** Named sweeps: `collapse-lab sweep <name>` runs one of these as if it were a sweep file. */
import { FRESH_FIXED } from '../experiments/remedies/settings.js';
import { thresholdSettings } from '../experiments/remedies/threshold.js';
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
  'sweep-fresh-fixed': {
    description:
      'Alemohammad et al. 2024 in one report: the fully synthetic loop, 10% real data fixed (the same items every generation) and 10% fresh; a 1-D Gaussian, M = 100, 1,000 generations, 20 seeds (docs/remedies.md).',
    spec: {
      name: 'fresh-fixed',
      preset: 'gaussian',
      config: {
        generations: 1000,
        samplesPerGeneration: 100,
        realSize: 10_000,
        heldOutSize: 2000,
        snapshotGenerations: [],
      },
      grid: { policy: FRESH_FIXED.map((r) => r.policy) },
      seeds: 20,
      report: { metric: 'w2' },
    },
  },
  'sweep-mix-threshold': {
    description:
      'The mix threshold (Bertrand et al. 2024; Wang, Niu, Li 2026): the real fraction swept finely for the Gaussian and the GMM at M = 100, 500 generations, 4 seeds; theory puts the threshold at one real item a generation, λ = 0.005 (docs/remedies.md).',
    spec: {
      name: 'mix-threshold',
      config: {
        generations: 500,
        samplesPerGeneration: 100,
        realSize: 100_000,
        heldOutSize: 1000,
        policy: { type: 'mix' },
        snapshotGenerations: [],
      },
      grid: { 'policy.realFraction': [...thresholdSettings(false)[0].fractions], preset: ['gaussian', 'gmm'] },
      seeds: 4,
    },
  },
};
