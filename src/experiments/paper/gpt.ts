/**
 * The paper's headline experiment with a transformer this machine can retrain: every generation fine-tunes the
 * same pretrained GPT on the previous generation's continuations of the real WikiText-2 blocks. `--quick` and the
 * default suite run gpt-quick under replace and accumulate (the base pretrained once, shared by both); `--full`
 * runs gpt-paper, gpt-mix10 and gpt-accumulate (hours a generation). Needs WikiText-2; skipped with the reason
 * without it.
 */
import { PAPER_OPT } from '../../families/gpt/figures.js';
import type { RunGroup } from '../../plots/groups.js';
import { fmt } from '../format.js';
import { resolveConfig } from '../run.js';
import type { PaperClaim, PaperExperiment } from './experiment.js';
import { byPolicy, final, firstAndFinalTable, lastGeneration, num } from './shared.js';

const first = (g: RunGroup, metric: string) => num(g.runs[0].metrics[0]?.[metric]);
const change = (g: RunGroup, metric: string) => final(g, metric) / first(g, metric) - 1;
const percent = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

const rise = (g: RunGroup) => num(g.runs[0].metrics.at(-1)?.testPerplexity) / num(g.runs[0].metrics[0]?.testPerplexity);

export const gptClaims: readonly PaperClaim[] = [
  {
    claim: 'A language model fine-tuned on its predecessor’s text degrades on real text',
    source: 'Shumailov et al., Nature 2024, §5 (OPT-125m on WikiText-2: 20–28 points worse)',
    bar: 'test perplexity under replace rises every generation',
    measure(groups) {
      const ppl = byPolicy(groups, 'replace').runs[0].metrics.map((m) => num(m.testPerplexity));
      const rising = ppl.every((x, i) => i === 0 || x > ppl[i - 1]);
      return { measured: ppl.map((x) => fmt(x)).join(' → '), pass: ppl.length > 1 && rising };
    },
  },
  {
    claim: 'Accumulating real and synthetic data avoids the degradation',
    source: 'Gerstgrasser et al. 2024, “Is model collapse inevitable?”',
    bar: 'final test perplexity under accumulate within 3% of generation 0',
    measure(groups) {
      const accumulate = groups.find((g) => g.runs[0].config.policy.type === 'accumulate');
      if (!accumulate) return { measured: 'no accumulate run', pass: false };
      const r = rise(accumulate);
      return {
        measured: `×${fmt(r)} (replace ×${fmt(rise(byPolicy(groups, 'replace')))})`,
        pass: Math.abs(r - 1) < 0.03,
      };
    },
  },
];

export const gptExperiment: PaperExperiment = {
  id: 'gpt',
  claims: gptClaims,
  title: 'A transformer fine-tuned from one base model on its own continuations (the paper’s OPT protocol)',
  claim: `Fine-tuned on the previous generation’s text with no real data, test perplexity degrades generation after generation (the paper, OPT-125m: ${PAPER_OPT[1][1]} at generation 0, ${PAPER_OPT[2][1]}); accumulating the real data with every generation’s text keeps it near generation 0.`,
  configs: (quick, full) =>
    full && !quick
      ? [resolveConfig('gpt-paper', {}), resolveConfig('gpt-mix10', {}), resolveConfig('gpt-accumulate', {})]
      : [{ type: 'replace' }, { type: 'accumulate' }].map((policy) => resolveConfig('gpt-quick', { policy })),
  findings(groups) {
    const replace = byPolicy(groups, 'replace');
    const n = lastGeneration(replace);
    const accumulate = groups.find((g) => g.runs[0].config.policy.type === 'accumulate');
    const mix = groups.find((g) => g.runs[0].config.policy.type === 'mix');
    const sentences = [
      `Generation 0 has test perplexity ${fmt(first(replace, 'testPerplexity'))} per token (${fmt(first(replace, 'testPerplexityPerWord'))} per word); under replace it reached ${fmt(final(replace, 'testPerplexity'))} by generation ${n} (${percent(change(replace, 'testPerplexity'))}), and the median perplexity of the synthetic blocks under generation 0’s model went from ${fmt(first(replace, 'syntheticPerplexityP50'))} to ${fmt(final(replace, 'syntheticPerplexityP50'))}.`,
    ];
    if (accumulate)
      sentences.push(
        `Accumulating, test perplexity ended at ${fmt(final(accumulate, 'testPerplexity'))} (${percent(change(accumulate, 'testPerplexity'))} from generation 0).`,
      );
    if (mix)
      sentences.push(
        `Keeping 10% of the real blocks (10 epochs a generation), it ended at ${fmt(final(mix, 'testPerplexity'))} (${percent(change(mix, 'testPerplexity'))}).`,
      );
    return {
      sentences,
      table: firstAndFinalTable(groups, [
        ['testPerplexity', 'test perplexity'],
        ['testPerplexityPerWord', 'per word'],
        ['syntheticPerplexityP50', 'synthetic median perplexity'],
        ['distinct3', 'distinct-3'],
      ]),
    };
  },
};
