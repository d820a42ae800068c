/**
 * The language-model mitigations: generators that watermark their text and `isolate`, which drops detected text
 * before training (Kneser–Ney trigram, needs WikiText-2). A table of final-generation metrics, one row per policy.
 */
import { parseExperimentConfig } from '../config.js';
import { fmt } from '../format.js';
import { lmMitigationConfigs } from '../mitigations.js';
import type { PaperExperiment } from './experiment.js';
import { byLabel, final, finalTable, labelled, num } from './shared.js';

const lmSet = (quick: boolean) => lmMitigationConfigs(1, quick ? { generations: 3 } : {});

export const watermarkExperiment: PaperExperiment = {
  id: 'watermark',
  title: 'Provenance watermarks: isolating AI text before training (Kneser–Ney trigram, WikiText-2)',
  claim:
    'If generators watermark their text, dropping detected text keeps the next generation on human data; isolation can only catch the share of generators that watermark.',
  configs: (quick) => lmSet(quick).map((m) => parseExperimentConfig(m.config)),
  findings(raw) {
    const groups = labelled(raw, lmSet(false));
    const ppl = (label: string) => fmt(final(byLabel(groups, label), 'testPerplexity'));
    return {
      sentences: [
        `Test perplexity started at ${fmt(num(groups[0].runs[0].metrics[0]?.testPerplexity))}; at the last generation it was ${ppl('replace')} under replace and ${ppl('accumulate')} accumulating, and with isolation ${ppl('isolate, share 1')}, ${ppl('isolate, share 0.5')} and ${ppl('isolate, share 0')} when all, half or none of the generators watermark.`,
        `With every generator watermarking, the detector's recall of synthetic text was ${fmt(final(byLabel(groups, 'isolate, share 1'), 'isolateRecallSynthetic'))} at precision ${fmt(final(byLabel(groups, 'isolate, share 1'), 'isolatePrecisionSynthetic'))}.`,
      ],
      table: finalTable(groups, [
        ['testPerplexity', 'test perplexity'],
        ['realFraction', 'real share'],
        ['trainSize', 'train size'],
        ['distinct3', 'distinct-3'],
        ['isolateDropped', 'dropped'],
        ['isolateRecallSynthetic', 'synthetic recall'],
      ]),
    };
  },
};
