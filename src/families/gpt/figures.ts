/**
 * The `gpt` family's report: the language-model room's figures and sections, plus the paper's own OPT-125m
 * figures beside this run's, labelled as the paper's (they come from a 125M-parameter model pretrained on
 * billions of tokens; ours is pretrained here, so its perplexities are higher and only the changes compare).
 */
import type { RunData } from '../../core/run-store.js';
import { escapeHtml, type Section, table } from '../../plots/html.js';
import { lmFigures } from '../lm/figures.js';

/** Shumailov et al., Nature 2024, §5: OPT-125m fine-tuned on WikiText-2. */
export const PAPER_OPT = [
  ['OPT-125m zero-shot', 'about 115'],
  ['fine-tuned on the real data (generation 0)', 'about 34'],
  ['5 epochs a generation on generated data only', '20–28 points worse than generation 0'],
  ['10 epochs a generation, 10% of the real data kept', 'minor degradation'],
] as const;

const fmt = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(1) : '–');

export function paperSection(run: RunData): Section | undefined {
  const metrics = run.metrics;
  if (metrics.length === 0) return undefined;
  const first = metrics[0];
  const last = metrics[metrics.length - 1];
  const perWord = (m: (typeof metrics)[number]) => m.testPerplexityPerWord ?? m.testPerplexity;
  const change = (perWord(last) as number) - (perWord(first) as number);
  const ours = [
    ['generation 0, per word', fmt(perWord(first))],
    [
      `generation ${last.generation}, per word`,
      `${fmt(perWord(last))} (${change >= 0 ? '+' : ''}${fmt(change)} points)`,
    ],
  ];
  const html = `<p>${escapeHtml(
    'The paper’s figures, labelled as the paper’s: a 125M-parameter OPT pretrained on ~180B tokens, fine-tuned on WikiText-2 with beam search (5 beams, 64 new tokens, repetition penalty 3.0). This run’s model is pretrained here on the run’s own training stream, so compare the change over generations, not the level.',
  )}</p>\n${table(
    ['the paper (OPT-125m)', 'test perplexity'],
    PAPER_OPT.map((r) => [...r]),
  )}\n${table(['this run', 'test perplexity'], ours)}`;
  return { title: 'The paper’s figures beside this run', html };
}

export const gptFigures = {
  ...lmFigures,
  sections: (run: RunData): Section[] => {
    const paper = paperSection(run);
    return [...(paper ? [paper] : []), ...lmFigures.sections(run)];
  },
};
