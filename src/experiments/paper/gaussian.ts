/** One Gaussian refitted by MLE to 100 samples: the mean variance decays slowly, the typical run collapses. */

import { meanDriftFigure, w2SquaredFigure } from '../../families/gaussian/figures.js';
import { compareFigures } from '../../reports/figures.js';
import { fmt, share } from '../format.js';
import { gaussianClaims } from './claims.js';
import type { PaperExperiment } from './experiment.js';
import {
  byPolicy,
  finals,
  firstAndFinalTable,
  lastGeneration,
  mean,
  median,
  ratios,
  replaceMixAccumulate,
} from './shared.js';

export const gaussian: PaperExperiment = {
  id: 'gaussian',
  claims: gaussianClaims,
  title: 'A Gaussian refitted by MLE to 100 of its own samples',
  claim: 'E[σ²ₙ] = σ²((M−1)/M)ⁿ decays slowly, but log σ² is a random walk with negative drift: every run collapses.',
  configs: (quick) => replaceMixAccumulate('gaussian', quick ? { generations: 500 } : {}, { seeds: quick ? 4 : 8 }),
  // Variance, the mean's drift and W₂², each against theory.
  figures: (groups) => [
    ...compareFigures(groups).slice(0, 1),
    ...[meanDriftFigure(groups), w2SquaredFigure(groups)].filter((f) => f !== undefined),
  ],
  findings(groups) {
    const [replace, mix, acc] = [byPolicy(groups, 'replace'), byPolicy(groups, 'mix'), byPolicy(groups, 'accumulate')];
    const n = lastGeneration(replace) + 1;
    const M = replace.runs[0].config.samplesPerGeneration;
    return {
      sentences: [
        `Under replace, the fitted variance fell to ${share(median(ratios(replace, 'variance')))} of generation 0's by generation ${n - 1} (median over ${replace.runs.length} seeds; the largest seed kept ${share(Math.max(...ratios(replace, 'variance')))}), while theory's mean E[σ²ₙ]/σ² = ((M−1)/M)ⁿ = ${share(((M - 1) / M) ** n)}: the typical run collapses far faster than the mean.`,
        `With 10% real data kept the variance ended at ${fmt(mean(finals(mix, 'variance')))} (true value 1); accumulating all data it ended at ${fmt(mean(finals(acc, 'variance')))}.`,
      ],
      table: firstAndFinalTable(groups, [
        ['variance', 'variance'],
        ['w2', 'W2'],
      ]),
    };
  },
};
