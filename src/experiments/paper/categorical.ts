/** Zipf over 1,000 outcomes: the support shrinks every generation while the real tail's mass wanders. */

import { tailRankFigure } from '../../families/categorical/figures.js';
import type { RunGroup } from '../../plots/groups.js';
import { compareFigures } from '../../reports/figures.js';
import { fmt, share } from '../format.js';
import { zipfClaims, zipfTailRankClaims } from './claims.js';
import type { PaperExperiment } from './experiment.js';
import { byPolicy, finals, firstAndFinalTable, lastGeneration, mean, num, replaceMixAccumulate } from './shared.js';

export const zipf: PaperExperiment = {
  id: 'categorical',
  claims: [...zipfClaims, ...zipfTailRankClaims],
  title: 'Zipf over 1,000 outcomes, 10,000 samples per generation',
  claim:
    'Rare outcomes vanish first and never return, so the support shrinks every generation; yet each probability is a martingale, so the mass on the real tail wanders rather than falls.',
  // A snapshot every tenth of the run: the tail-rank figure reads which outcomes each one still holds.
  configs: (quick) => {
    const generations = quick ? 60 : 200;
    const every = generations / 10;
    const snapshotGenerations = [...Array.from({ length: 10 }, (_, i) => i * every), generations - 1];
    return replaceMixAccumulate(
      'categorical',
      quick ? { generations, samplesPerGeneration: 5000, snapshotGenerations } : { snapshotGenerations },
    );
  },
  // Support against its expectation, and the tail rank k* against theory's.
  figures: (groups) => [
    ...compareFigures(groups).slice(0, 1),
    ...[tailRankFigure(groups)].filter((f) => f !== undefined),
  ],
  findings(groups) {
    const [replace, mix, acc] = [byPolicy(groups, 'replace'), byPolicy(groups, 'mix'), byPolicy(groups, 'accumulate')];
    const outcomes = num(replace.runs[0].config.real.outcomes);
    const tail = (g: RunGroup) => share(mean(finals(g, 'tailMass')) / mean(finals(g, 'realTailMass')));
    const accMissing = outcomes - mean(finals(acc, 'supportSize'));
    const zeroMissing = outcomes - mean(acc.runs.map((r) => num(r.metrics[0]?.supportSize)));
    return {
      sentences: [
        `Under replace, ${fmt(outcomes - mean(finals(replace, 'supportSize')))} of ${fmt(outcomes)} outcomes were lost by generation ${lastGeneration(replace)}, while the rarest outcomes (those holding 10% of the real mass) ended with ${tail(replace)} of their real mass, carried by the few that survived.`,
        `With 10% real data kept, ${fmt(outcomes - mean(finals(mix, 'supportSize')))} outcomes were missing at the end (tail ${tail(mix)}); accumulating all data, ${fmt(accMissing)} were missing (tail ${tail(acc)})${accMissing === zeroMissing ? ' — only those the real sample itself never drew' : ` (generation 0 missed ${fmt(zeroMissing)})`}.`,
      ],
      table: firstAndFinalTable(groups, [
        ['supportSize', 'support'],
        ['tailMass', 'tail mass'],
        ['totalVariation', 'TV'],
      ]),
    };
  },
};
