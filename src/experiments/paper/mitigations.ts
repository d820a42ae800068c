/**
 * The `mitigations` comparison (a 1-D Gaussian under replace, mix, accumulate, the contaminated web, and verified
 * data with and without feedback): a table of final-generation metrics, one row per policy.
 */
import { parseExperimentConfig } from '../config.js';
import { fmt } from '../format.js';
import { mitigationConfigs } from '../mitigations.js';
import type { PaperExperiment } from './experiment.js';
import { byLabel, final, finalTable, labelled } from './shared.js';

const gaussianSet = (quick: boolean) => mitigationConfigs(1, quick ? { generations: 200 } : {});

export const mitigationsExperiment: PaperExperiment = {
  id: 'mitigations',
  title: 'What keeps a model from collapsing: real data, accumulation, the web, and verification',
  claim:
    'Keeping real data (mixed in or accumulated) prevents collapse; a web whose human stock runs out collapses unless it keeps its first scrape; a verifier helps only with feedback from real data.',
  configs: (quick) => gaussianSet(quick).map((m) => parseExperimentConfig(m.config)),
  findings(raw) {
    const groups = labelled(raw, gaussianSet(false));
    const variance = (label: string) => fmt(final(byLabel(groups, label), 'variance'));
    const tail = (label: string) => fmt(final(byLabel(groups, label), 'tailMass'));
    const last = final(groups[0], 'generation');
    return {
      sentences: [
        `After ${last} generations the fitted variance (true value 1) was ${variance('replace')} under replace, ${variance('mix 10%')} with 10% real data mixed in and ${variance('accumulate')} accumulating; the model's mass in the real tails (2% for the truth) was ${tail('replace')}, ${tail('mix 10%')} and ${tail('accumulate')}.`,
        `On the contaminated web the variance ended at ${variance('web')}; training on the pre-contamination snapshot kept it at ${variance('web snapshot')}. A fixed band filter ended at ${variance('filter')}; with feedback from held-out real data, ${variance('filter + feedback')}; importance resampling towards a real-data model, ${variance('filter importance')}.`,
      ],
      table: finalTable(groups, [
        ['variance', 'variance'],
        ['tailMass', 'tail mass'],
        ['w2', 'W2 to the truth'],
        ['heldOutLogLikelihood', 'held-out LL'],
        ['realFraction', 'real share'],
        ['trainSize', 'train size'],
      ]),
    };
  },
};
