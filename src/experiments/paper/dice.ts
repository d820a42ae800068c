/** A fair die refitted to 100 of its own rolls: faces that draw no roll are lost for good. */

import { lossFigure } from '../../families/categorical/figures.js';
import { compareFigures } from '../../reports/figures.js';
import { fmt } from '../format.js';
import { diceClaims } from './claims.js';
import type { PaperExperiment } from './experiment.js';
import {
  byPolicy,
  finals,
  firstAndFinalTable,
  lastGeneration,
  mean,
  median,
  num,
  replaceMixAccumulate,
} from './shared.js';

export const dice: PaperExperiment = {
  id: 'dice',
  claims: diceClaims,
  title: 'A fair die, refitted to 100 of its own rolls',
  claim: 'Outcomes that draw no roll get probability 0 and never return: the die loses faces one by one.',
  configs: (quick) => replaceMixAccumulate('dice', quick ? { generations: 100 } : {}, { seeds: 5 }),
  // Support against its exact expectation, and the rarest face's loss against its chain.
  figures: (groups) => [...compareFigures(groups).slice(0, 1), ...[lossFigure(groups)].filter((f) => f !== undefined)],
  findings(groups) {
    const [replace, mix, acc] = [byPolicy(groups, 'replace'), byPolicy(groups, 'mix'), byPolicy(groups, 'accumulate')];
    const firstLoss = replace.runs.map((r) => r.metrics.find((m) => num(m.supportSize) < 6)?.generation);
    const lost = firstLoss.filter((g): g is number => typeof g === 'number');
    return {
      sentences: [
        `Under replace, the die kept ${fmt(mean(finals(replace, 'supportSize')))} of 6 faces on average after ${lastGeneration(replace) + 1} generations (seeds: ${finals(replace, 'supportSize').join(', ')}); ${lost.length > 0 ? `the first face was lost at generation ${fmt(median(lost))} (median over the ${lost.length} seeds that lost one)` : 'no seed lost a face'}.`,
        `With 10% real rolls kept, ${fmt(mean(finals(mix, 'supportSize')))} faces survived and total variation from the fair die ended at ${fmt(mean(finals(mix, 'totalVariation')))}; accumulating every roll, ${fmt(mean(finals(acc, 'supportSize')))} survived (total variation ${fmt(mean(finals(acc, 'totalVariation')))}, against ${fmt(mean(finals(replace, 'totalVariation')))} under replace).`,
      ],
      table: firstAndFinalTable(groups, [
        ['supportSize', 'support'],
        ['totalVariation', 'TV'],
      ]),
    };
  },
};
