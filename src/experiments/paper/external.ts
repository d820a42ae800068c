/**
 * The external family's reference trainers in the suite: torch_lm.py on WikiText-2 and torch_vae.py on MNIST,
 * each under replace, run in a PyTorch process through the external protocol. Each needs Debian's
 * python3-torch (and its data set); without it the suite skips it and says why (the trainer's own line).
 */
import type { RunGroup } from '../../plots/groups.js';
import { fmt } from '../format.js';
import { resolveConfig } from '../run.js';
import type { PaperExperiment } from './experiment.js';
import { byPolicy, firstAndFinalTable, last, lastGeneration, num } from './shared.js';

const first = (g: RunGroup, metric: string) => num(g.runs[0].metrics[0]?.[metric]);
const end = (g: RunGroup, metric: string) => num(last(g.runs[0].metrics)?.[metric]);
/** The preset under replace, and with 10% real data kept. */
const replaceAndMix = (preset: string) =>
  [{ type: 'replace' }, { type: 'mix', realFraction: 0.1 }].map((policy) => resolveConfig(preset, { policy }));

export const externalLmExperiment: PaperExperiment = {
  id: 'external-lm',
  title: 'A PyTorch transformer LM in its own process, trained on its own continuations',
  claim:
    'The language-model result holds for a neural model run outside the lab: test perplexity climbs generation after generation under replace.',
  configs: () => replaceAndMix('external-torch-lm-quick'),
  findings(groups) {
    const [g, mix] = [byPolicy(groups, 'replace'), byPolicy(groups, 'mix')];
    return {
      sentences: [
        `torch_lm.py (through the external protocol) had test perplexity ${fmt(first(g, 'testPerplexity'))} at generation 0 and ${fmt(end(g, 'testPerplexity'))} at generation ${lastGeneration(g)} under replace; the median perplexity of its synthetic blocks under generation 0's model went from ${fmt(first(g, 'syntheticPerplexityP50'))} to ${fmt(end(g, 'syntheticPerplexityP50'))}, distinct-2 from ${fmt(first(g, 'distinct2'))} to ${fmt(end(g, 'distinct2'))}.`,
        `Keeping 10% real data, test perplexity ended at ${fmt(end(mix, 'testPerplexity'))}.`,
      ],
      table: firstAndFinalTable(groups, [
        ['testPerplexity', 'test perplexity'],
        ['distinct2', 'distinct-2'],
        ['trainerLoss', 'training loss'],
      ]),
    };
  },
};

export const externalVaeExperiment: PaperExperiment = {
  id: 'external-vae',
  title: "The paper's conv VAE in PyTorch, in its own process, trained on its own images",
  claim:
    'The image result holds for the notebook’s architecture in PyTorch run outside the lab: the samples lose variety and their held-out ELBO falls.',
  configs: () => replaceAndMix('external-torch-vae-quick'),
  findings(groups) {
    const [g, mix] = [byPolicy(groups, 'replace'), byPolicy(groups, 'mix')];
    return {
      sentences: [
        `Under replace, torch_vae.py's held-out ELBO went from ${fmt(first(g, 'testLogLikelihood'))} to ${fmt(end(g, 'testLogLikelihood'))} nats per image by generation ${lastGeneration(g)}, and the spread of its samples (mean per-pixel standard deviation) from ${fmt(first(g, 'sampleSpread'))} to ${fmt(end(g, 'sampleSpread'))}.`,
        `Keeping 10% real images, the ELBO ended at ${fmt(end(mix, 'testLogLikelihood'))} and the spread at ${fmt(end(mix, 'sampleSpread'))}.`,
      ],
      table: firstAndFinalTable(groups, [
        ['testLogLikelihood', 'held-out ELBO'],
        ['sampleSpread', 'sample spread'],
        ['slicedW2', 'sliced W2 to real'],
      ]),
    };
  },
};
