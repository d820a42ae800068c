/** Family `categorical`: K outcomes fitted by their empirical frequencies (model.ts), with the die and Zipf presets. */

import { giniSimpsonCheck } from '../../theory/categorical.js';
import { defineFamily } from '../definition.js';
import { categoricalFigures, giniSimpsonTheory, truthProbabilities } from './figures.js';
import { categoricalOptions, createCategoricalFamily } from './model.js';

export const categoricalFamily = defineFamily({
  name: 'categorical',
  description: 'K outcomes fitted by their empirical frequencies: an outcome that draws no sample never returns',
  sampleKind: 'categories',
  options: categoricalOptions,
  create: createCategoricalFamily,
  weight: 1,
  diversity: 'giniSimpson',
  figures: categoricalFigures,
  // Wright–Fisher drift: the expected Gini–Simpson diversity is exact under replace.
  theoryCurve(config, generations) {
    const rows = giniSimpsonTheory(config, generations);
    return rows.length === 0
      ? undefined
      : {
          metric: 'giniSimpson',
          label: 'theory E[Gini–Simpson]',
          rows: rows.map(({ generation, value }) => ({ generation, value: value as number })),
        };
  },
  // Under replace from a known distribution, each refit's Gini–Simpson has an exact conditional mean and variance
  // (Wright–Fisher): the run's summed deviations give a z (theory/categorical.ts giniSimpsonCheck). Needs the
  // per-generation probabilities, written up to `reportProbabilitiesUpTo` outcomes.
  theory(config, metrics) {
    const p0 = truthProbabilities(config);
    if (!p0 || config.policy.type !== 'replace' || !metrics.every((m) => Array.isArray(m.probabilities))) return [];
    const M = config.samplesPerGeneration;
    const check = giniSimpsonCheck(
      metrics.map((m) => m.probabilities as number[]),
      p0,
      M,
      config.realSize ?? M,
    );
    return check ? [check] : [];
  },
  presets: {
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
  },
});
