/**
 * The paper's image experiment: a VAE on MNIST trained generation after generation on the previous generation's
 * samples. `--quick` and the default suite run the MLP preset (vae-quick) under replace and mix 10% real;
 * `--full` runs the notebook's conv VAE (vae-paper, ~an hour a generation here) under replace, mix and accumulate.
 */
import { sampleGridFigure } from '../../families/vae/figures.js';
import type { RunGroup } from '../../plots/groups.js';
import { compareFigures } from '../../reports/figures.js';
import { fmt, share } from '../format.js';
import { resolveConfig } from '../run.js';
import { vaeClaims } from './claims.js';
import type { PaperExperiment } from './experiment.js';
import { byPolicy, final, firstAndFinalTable, lastGeneration, num } from './shared.js';

const first = (g: RunGroup, metric: string) => num(g.runs[0].metrics[0]?.[metric]);

/** The most common digit at the end and its share, by the classifier. */
function dominantDigit(g: RunGroup): { digit: number; share: number } | undefined {
  const shares = g.runs[0].metrics[g.runs[0].metrics.length - 1]?.digitShares;
  if (!Array.isArray(shares)) return undefined;
  const digit = shares.indexOf(Math.max(...shares));
  return { digit, share: shares[digit] };
}

export const vaeExperiment: PaperExperiment = {
  id: 'vae',
  claims: vaeClaims,
  title: 'A VAE on MNIST, trained on the previous generation’s images',
  claim:
    'Each generation’s VAE learns from images decoded by the previous one; the samples lose their variety and drift towards a few blurred prototypes (the notebook’s latent std: 0.688 → 0.443 over synthetic generations 1–5).',
  configs: (quick, full) => {
    // accumulate streams (g + 1) × N images an epoch at generation g: only the --full suite affords it.
    const policies: Record<string, unknown>[] = [
      { type: 'replace' },
      { type: 'mix', realFraction: 0.1 },
      ...(full && !quick ? [{ type: 'accumulate' }] : []),
    ];
    return policies.map((policy) => resolveConfig(full && !quick ? 'vae-paper' : 'vae-quick', { policy }));
  },
  figures(groups) {
    const grids = sampleGridFigure(byPolicy(groups, 'replace').runs[0]);
    return [...compareFigures(groups).slice(0, 1), ...(grids ? [grids] : [])];
  },
  findings(groups) {
    const replace = byPolicy(groups, 'replace');
    const n = lastGeneration(replace);
    const top = dominantDigit(replace);
    const sentences = [
      `Under replace, the standard deviation of generation 0's latent means of the samples (the notebook's measure) went from ${fmt(first(replace, 'latentStd'))} at generation 0 to ${fmt(final(replace, 'latentStd'))} at generation ${n}, the mean pairwise distance between samples from ${fmt(first(replace, 'meanPairwiseDistance'))} to ${fmt(final(replace, 'meanPairwiseDistance'))}, and the test ELBO from ${fmt(first(replace, 'testElbo'))} to ${fmt(final(replace, 'testElbo'))} nats per image.`,
    ];
    if (top)
      sentences.push(
        `The digit classifier's entropy over the samples went from ${fmt(first(replace, 'digitEntropy'))} to ${fmt(final(replace, 'digitEntropy'))} bits (log₂ 10 = 3.32); at the end ${share(top.share)} of the samples are read as a${top.digit === 8 ? 'n' : ''} ${top.digit}.`,
      );
    const mix = groups.find((g) => g.runs[0].config.policy.type === 'mix');
    if (mix)
      sentences.push(
        `Keeping 10% real images, the latent std ended at ${fmt(final(mix, 'latentStd'))} and the pairwise distance at ${fmt(final(mix, 'meanPairwiseDistance'))}.`,
      );
    return {
      sentences,
      table: firstAndFinalTable(groups, [
        ['latentStd', 'latent std'],
        ['meanPairwiseDistance', 'pairwise distance'],
        ['testElbo', 'test ELBO'],
        ['digitEntropy', 'digit entropy (bits)'],
      ]),
    };
  },
};
