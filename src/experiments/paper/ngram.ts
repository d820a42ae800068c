/**
 * The paper's language-model experiment: a Kneser–Ney trigram on WikiText-2 under replace, mix (10% real) and
 * accumulate. Needs WikiText-2; without it the suite skips it and says why.
 */

import type { RunGroup } from '../../plots/groups.js';
import { resolveConfig } from '../run.js';
import { ngramClaims } from './claims.js';
import type { PaperExperiment } from './experiment.js';
import { byPolicy, mean, num } from './shared.js';

const at = (g: RunGroup, metric: string, which: 'first' | 'last') =>
  mean(g.runs.map((r) => num((which === 'first' ? r.metrics[0] : r.metrics[r.metrics.length - 1])?.[metric])));
const fixed = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const percent = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

export const ngramExperiment: PaperExperiment = {
  id: 'ngram',
  claims: ngramClaims,
  title: 'A Kneser–Ney trigram on WikiText-2, trained on its own continuations',
  claim:
    'Perplexity on the real test set climbs every generation trained on the previous generation’s text; the generated text drifts from what the first model finds likely and grows a long tail, and keeping real data slows the damage.',
  configs: (quick) =>
    [{ type: 'replace' }, { type: 'mix', realFraction: 0.1 }, { type: 'accumulate' }].map((policy) =>
      resolveConfig(quick ? 'ngram-quick' : 'ngram', { policy }),
    ),
  findings(groups) {
    const [replace, mix, acc] = ['replace', 'mix', 'accumulate'].map((type) => byPolicy(groups, type));
    const last = num(replace.runs[0].metrics[replace.runs[0].metrics.length - 1]?.generation);
    const ppl = (g: RunGroup, which: 'first' | 'last') => at(g, 'testPerplexity', which);
    return {
      sentences: [
        `Generation 0 has test perplexity ${fixed(ppl(replace, 'first'))}; under replace it reached ${fixed(ppl(replace, 'last'))} by generation ${last} (×${fixed(ppl(replace, 'last') / ppl(replace, 'first'), 2)}), while the median perplexity of the synthetic blocks under generation 0’s model went from ${fixed(at(replace, 'syntheticPerplexityP50', 'first'))} to ${fixed(at(replace, 'syntheticPerplexityP50', 'last'))} and its 95th percentile from ${fixed(at(replace, 'syntheticPerplexityP95', 'first'))} to ${fixed(at(replace, 'syntheticPerplexityP95', 'last'))}.`,
        `Keeping 10% real data, test perplexity ended at ${fixed(ppl(mix, 'last'))}; accumulating all data, at ${fixed(ppl(acc, 'last'))}. Under replace the share of the real data’s rarest types still produced went from ${percent(at(replace, 'rareTypesProduced', 'first'))} to ${percent(at(replace, 'rareTypesProduced', 'last'))}, and distinct-3 from ${fixed(at(replace, 'distinct3', 'first'), 3)} to ${fixed(at(replace, 'distinct3', 'last'), 3)}.`,
      ],
      table: {
        headers: [
          'configuration',
          'test perplexity (gen 0)',
          'test perplexity (final)',
          'synthetic median perplexity (final)',
          'rare types produced (final)',
          'distinct-3 (final)',
        ],
        rows: groups.map((g) => [
          g.label,
          fixed(ppl(g, 'first')),
          fixed(ppl(g, 'last')),
          fixed(at(g, 'syntheticPerplexityP50', 'last')),
          percent(at(g, 'rareTypesProduced', 'last')),
          fixed(at(g, 'distinct3', 'last'), 3),
        ]),
      },
    };
  },
};
