/**
 * The mitigation comparisons for the reproduce suite: the `mitigations` set (a 1-D Gaussian under replace, mix,
 * accumulate, the contaminated web, and verified data with and without feedback) and its language-model
 * counterpart (watermarks and `isolate`, needs WikiText-2). Each ends in a table of final-generation metrics,
 * one row per policy, and sentences computed from the runs.
 */
import type { RunGroup } from '../plots/groups.js';
import { parseExperimentConfig } from './config.js';
import { fmt } from './format.js';
import { lmMitigationConfigs, type MitigationConfig, mitigationConfigs } from './mitigations.js';
import type { PaperExperiment } from './reproduce.js';

const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
const final = (g: RunGroup, metric: string) => num(g.runs[0].metrics[g.runs[0].metrics.length - 1]?.[metric]);

/** Groups renamed by their comparison label (the config names carry it), in the comparison's order. */
function labelled(groups: readonly RunGroup[], set: readonly MitigationConfig[]): RunGroup[] {
  const byName = new Map(set.map((m) => [m.config.name, m.label]));
  return set.flatMap(({ label }) => {
    const group = groups.find((g) => byName.get(g.runs[0].config.name) === label);
    return group ? [{ ...group, label }] : [];
  });
}

function finalTable(groups: readonly RunGroup[], metrics: readonly [string, string][]) {
  return {
    headers: ['policy', ...metrics.map(([, header]) => header)],
    rows: groups.map((g) => [g.label, ...metrics.map(([m]) => fmt(final(g, m)))]),
  };
}

const byLabel = (groups: readonly RunGroup[], label: string) => groups.find((g) => g.label === label) as RunGroup;

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
