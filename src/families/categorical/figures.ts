/**
 * Figures for `categorical`: each outcome's probability over generations (written by the family when K ≤ 64),
 * the support size (an outcome that draws no sample is gone for good) and the total variation from the truth.
 */

import type { RunData } from '../../core/run-store.js';
import { zipfProbabilities } from '../../data/known-real.js';
import { DEFINITIONS } from '../../metrics/definitions.js';
import { meanInterval } from '../../metrics/seed-summary.js';
import { type CurveRow, curvePanel, grid } from '../../plots/charts.js';
import { aggregate, type RunGroup } from '../../plots/groups.js';
import type { Figure } from '../../plots/plot.js';
import { series } from '../../plots/series.js';
import {
  expectedGiniSimpson,
  expectedSupport,
  lossProbabilities,
  measuredTailRank,
  tailRank,
} from '../../theory/categorical.js';
import type { TheoryConfig } from '../definition.js';

/** Beyond this many outcomes the legend would be taller than the plot. */
const LEGEND_UP_TO = 12;

export function probabilitiesFigure(run: RunData): Figure | undefined {
  const rows: CurveRow[] = [];
  for (const m of run.metrics) {
    const p = m.probabilities;
    if (!Array.isArray(p)) continue;
    for (let k = 0; k < p.length; k++)
      rows.push({ generation: m.generation as number, value: p[k], series: `outcome ${k + 1}` });
  }
  if (rows.length === 0) return undefined;
  const outcomes = new Set(rows.map((r) => r.series)).size;
  const panel = curvePanel({
    title: 'probability of each outcome',
    yTitle: 'probability',
    rows,
    width: 520,
    height: 220,
  });
  if (outcomes > LEGEND_UP_TO) {
    for (const layer of panel.layer as { encoding: { color: { legend: unknown } } }[])
      layer.encoding.color.legend = null;
  }
  return {
    id: 'categorical-probabilities',
    title: 'Outcome probabilities over generations',
    caption: `Each of the ${outcomes} outcomes' fitted probability. An outcome that reaches 0 never returns; the chain ends absorbed in one outcome.`,
    spec: panel,
  };
}

const PANELS = [
  { metric: 'supportSize', title: 'support size', axis: 'outcomes' },
  { metric: 'totalVariation', title: 'total variation from the truth', axis: 'TV' },
];

export function supportFigure(run: RunData): Figure {
  return {
    id: 'categorical-support',
    title: 'Support size and total variation',
    caption:
      'How many outcomes keep a non-zero probability (dashed, where theory applies: its exact expectation under replace, each outcome a Wright–Fisher chain), and the total variation distance from the real distribution.',
    spec: grid(
      PANELS.map((p) =>
        curvePanel({
          title: p.title,
          yTitle: p.axis,
          rows: [
            ...series(run.metrics, p.metric).map((r) => ({ ...r, series: p.title })),
            ...(p.metric === 'supportSize' ? supportTheory(run.config, run.metrics.length) : []),
          ],
          dashed: [SUPPORT_THEORY],
        }),
      ),
      2,
    ),
  };
}

/** The truth's probabilities when the run's real data are a known categorical distribution (or Zipf). */
export function truthProbabilities(config: TheoryConfig): ArrayLike<number> | undefined {
  const real = config.real as { probabilities?: number[]; outcomes?: number; exponent?: number };
  if (config.real.type === 'zipf') return zipfProbabilities(real.outcomes as number, real.exponent as number);
  return config.real.type === 'categorical' ? real.probabilities : undefined;
}

/**
 * Theory's E[Gini–Simpson] under replace (Wright–Fisher, exact): (1 − 1/M)ⁿ⁺¹ (1 − Σ p²) for the truth p, when
 * the run's real data are a known categorical distribution of its own sample size.
 */
export function giniSimpsonTheory(config: TheoryConfig, generations: number): CurveRow[] {
  const p = truthProbabilities(config);
  const M = config.samplesPerGeneration;
  if (!p || config.policy.type !== 'replace' || (config.realSize ?? M) !== M) return [];
  return Array.from({ length: generations }, (_, n) => ({
    generation: n,
    value: expectedGiniSimpson(p, M, n + 1),
    series: 'theory E[Gini–Simpson]',
  }));
}

export const SUPPORT_THEORY = 'theory E[support size]';

/**
 * Theory's expected number of outcomes still present under replace, exact (each outcome's Wright–Fisher chain,
 * theory/categorical.ts), where the chain is small enough to step.
 */
export function supportTheory(config: TheoryConfig, generations: number): CurveRow[] {
  const p = truthProbabilities(config);
  if (!p || config.policy.type !== 'replace') return [];
  const M = config.samplesPerGeneration;
  const expected = expectedSupport(p, M, generations, config.realSize ?? M);
  if (!expected) return [];
  return Array.from(expected, (value, generation) => ({ generation, value, series: SUPPORT_THEORY }));
}

/** Gini–Simpson diversity over generations, beside theory's expectation where theory applies. */
export function diversityFigure(groups: readonly RunGroup[]): Figure | undefined {
  const measured = groups.flatMap((g) => aggregate(g, 'giniSimpson'));
  if (measured.length === 0) return undefined;
  const replace = groups.find((g) => g.runs[0].config.policy.type === 'replace');
  const theory = replace ? giniSimpsonTheory(replace.runs[0].config, replace.runs[0].metrics.length) : [];
  return {
    id: 'categorical-diversity',
    title: 'Diversity (Gini–Simpson) against theory',
    caption: theory.length
      ? 'The chance that two draws differ, measured (mean over seeds, band: its 95% interval) and its exact expectation under replace, (1 − 1/M)ⁿ⁺¹(1 − Σp²): it halves every M ln 2 generations.'
      : 'The chance that two draws differ, per configuration (mean over seeds, band: its 95% interval).',
    spec: curvePanel({
      title: 'Gini–Simpson diversity',
      yTitle: '1 − Σ p²',
      rows: [...measured, ...theory],
      dashed: theory.length ? ['theory E[Gini–Simpson]'] : [],
      width: 420,
    }),
  };
}

/** The support theory of the first replace configuration among `groups`, if theory applies to it. */
function theoryFor(groups: readonly RunGroup[]): CurveRow[] {
  const replace = groups.find((g) => g.runs[0].config.policy.type === 'replace');
  return replace ? supportTheory(replace.runs[0].config, replace.runs[0].metrics.length) : [];
}

export function compareSupportFigure(groups: readonly RunGroup[]): Figure {
  return {
    id: 'categorical-compare',
    title: 'Support size and total variation, compared',
    caption:
      'One line per configuration (mean over seeds; band: its 95% interval); dashed, where theory applies (replace, a known distribution): the exact expected number of outcomes still present.',
    spec: grid(
      PANELS.map((p) =>
        curvePanel({
          title: p.title,
          yTitle: p.axis,
          rows: [
            ...groups.flatMap((g) => aggregate(g, p.metric)),
            ...(p.metric === 'supportSize' ? theoryFor(groups) : []),
          ],
          dashed: [SUPPORT_THEORY],
        }),
      ),
      2,
    ),
  };
}

/** A two-sided 95% Wilson interval for k successes in n trials. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = ((z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / 1;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * P(the rarest real outcome is lost by generation n) under replace: the share of seeds whose fit gives it
 * probability 0 (band: the 95% Wilson interval over seeds), beside theory's, from its Wright–Fisher chain (exact
 * where the chain can be stepped, its branching limit otherwise). Needs the per-generation probabilities.
 */
export function lossFigure(groups: readonly RunGroup[]): Figure | undefined {
  const replace = groups.find((g) => g.runs[0].config.policy.type === 'replace');
  const p0 = replace && truthProbabilities(replace.runs[0].config);
  if (!replace || !p0 || !Array.isArray(replace.runs[0].metrics[0]?.probabilities)) return undefined;
  const ps = Array.from(p0);
  const rarest = ps.indexOf(Math.min(...ps.filter((p) => p > 0)));
  const config = replace.runs[0].config;
  const M = config.samplesPerGeneration;
  const generations = Math.min(...replace.runs.map((r) => r.metrics.length));
  const { loss, exact } = lossProbabilities([ps[rarest]], M, generations, config.realSize ?? M);
  const seeds = replace.runs.length;
  const label = `${replace.label}: share of ${seeds} seed${seeds > 1 ? 's' : ''} that lost it`;
  const theoryLabel = `theory P(lost by n)${exact ? '' : ' (branching limit)'}`;
  const rows: CurveRow[] = [];
  for (let g = 0; g < generations; g++) {
    const lost = replace.runs.filter((r) => (r.metrics[g].probabilities as number[])[rarest] === 0).length;
    const [lo, hi] = wilson(lost, seeds);
    rows.push({ generation: g, value: lost / seeds, series: label, ...(seeds > 1 ? { lo, hi } : {}) });
    rows.push({ generation: g, value: loss[0][g], series: theoryLabel });
  }
  return {
    id: 'categorical-loss',
    title: `The rarest outcome (p = ${ps[rarest].toPrecision(3)}) lost, against its Wright–Fisher chain`,
    caption: `The share of replace seeds whose fit has lost outcome ${rarest + 1} by generation n (band: 95% Wilson interval over seeds), and theory's probability, from that outcome's count chain (X₀ ~ Binomial(R, p), then Binomial(M, X/M), absorbed at 0)${exact ? ', stepped exactly' : ', in its branching (Poisson) limit'}.`,
    spec: curvePanel({
      title: `P(rarest outcome lost by n) · ${DEFINITIONS['tail-loss'].title}`,
      yTitle: 'probability',
      rows,
      dashed: [theoryLabel],
      width: 520,
    }),
  };
}

/** Which real ranks a snapshot's fit still holds (1 or 0 per rank, outcomes by decreasing real probability). */
function presentByRank(probabilities: readonly number[], order: readonly number[]): number[] {
  return order.map((i) => (probabilities[i] > 0 ? 1 : 0));
}

/**
 * The tail rank k* per generation under replace (theory/categorical.ts tailRank: the smallest rank whose chance
 * of survival is below ½; band: the ranks where it falls from 0.975 to 0.025), beside the measured rank of each
 * seed's snapshots (measuredTailRank: the threshold that best splits the ranks it holds from those it lost; mean
 * over seeds with its 95% interval). Drawn for Zipf real data, whose ranks are its outcomes.
 */
export function tailRankFigure(groups: readonly RunGroup[]): Figure | undefined {
  const replace = groups.find((g) => g.runs[0].config.policy.type === 'replace');
  if (replace?.runs[0].config.real.type !== 'zipf') return undefined;
  const config = replace.runs[0].config;
  const p0 = Array.from(truthProbabilities(config) as ArrayLike<number>);
  const order = p0.map((_, i) => i).sort((a, b) => p0[b] - p0[a] || a - b);
  const M = config.samplesPerGeneration;
  const generations = Math.min(...replace.runs.map((r) => r.metrics.length));
  const theory = tailRank(p0, M, generations, config.realSize ?? M);
  const theoryLabel = `theory k*${theory.exact ? '' : ' (branching limit)'}`;
  const rows: CurveRow[] = Array.from({ length: generations }, (_, g) => ({
    generation: g,
    value: theory.kStar[g],
    series: theoryLabel,
    lo: theory.lo[g],
    hi: theory.hi[g],
  }));
  const snapshotGenerations = replace.runs[0].snapshotGenerations.filter((g) => g < generations);
  const label = `${replace.label}: measured rank`;
  for (const g of snapshotGenerations) {
    const ranks = replace.runs
      .map((r) => r.snapshot(g)?.model.probabilities)
      .filter((p): p is number[] => Array.isArray(p) && p.length === p0.length)
      .map((p) => measuredTailRank(presentByRank(p, order)));
    if (ranks.length === 0) continue;
    const { mean, lo, hi, n } = meanInterval(ranks);
    rows.push({ generation: g, value: mean, series: label, ...(n > 1 ? { lo, hi } : {}) });
  }
  return {
    id: 'categorical-tail-rank',
    title: 'The rank k* beyond which the tail is lost (Dohmatob et al. 2024)',
    caption: `Dashed: theory's k*, the smallest rank whose outcome is more likely lost than kept by generation n, from each outcome's Wright–Fisher chain${theory.exact ? '' : ' in its branching (Poisson) limit, exact to O(p)'}; band: the ranks whose survival falls from 97.5% to 2.5%. Points: the rank that best splits the outcomes a snapshot still holds from those it lost (${replace.runs.length > 1 ? 'mean over seeds, with its 95% interval' : 'one seed'}). Beyond k* the real tail's mass is gone; k* falls as generations pass.`,
    spec: curvePanel({
      title: `tail rank k* · ${DEFINITIONS['tail-loss'].title}`,
      yTitle: 'rank',
      yScale: 'log',
      rows,
      dashed: [theoryLabel],
      width: 520,
    }),
  };
}

export const categoricalFigures = {
  run: (run: RunData): Figure[] => {
    const own = [{ label: run.config.name, runs: [run] }];
    return [
      probabilitiesFigure(run),
      supportFigure(run),
      diversityFigure(own),
      lossFigure(own),
      tailRankFigure(own),
    ].filter((f): f is Figure => !!f);
  },
  compare: (groups: readonly RunGroup[]): Figure[] =>
    [compareSupportFigure(groups), diversityFigure(groups), lossFigure(groups), tailRankFigure(groups)].filter(
      (f): f is Figure => !!f,
    ),
};
