/**
 * Figures for `categorical`: each outcome's probability over generations (written by the family when K ≤ 64),
 * the support size (an outcome that draws no sample is gone for good) and the total variation from the truth.
 */

import type { RunData } from '../../core/run-store.js';
import { zipfProbabilities } from '../../data/known-real.js';
import { type CurveRow, curvePanel, grid } from '../../plots/charts.js';
import { aggregate, type RunGroup } from '../../plots/groups.js';
import type { Figure } from '../../plots/plot.js';
import { series } from '../../plots/series.js';
import { expectedGiniSimpson } from '../../theory/categorical.js';
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
      'How many outcomes keep a non-zero probability, and the total variation distance from the real distribution.',
    spec: grid(
      PANELS.map((p) =>
        curvePanel({
          title: p.title,
          yTitle: p.axis,
          rows: series(run.metrics, p.metric).map((r) => ({ ...r, series: p.title })),
        }),
      ),
      2,
    ),
  };
}

/**
 * Theory's E[Gini–Simpson] under replace (Wright–Fisher, exact): (1 − 1/M)ⁿ⁺¹ (1 − Σ p²) for the truth p, when
 * the run's real data are a known categorical distribution of its own sample size.
 */
export function giniSimpsonTheory(config: TheoryConfig, generations: number): CurveRow[] {
  const real = config.real as { probabilities?: number[]; outcomes?: number; exponent?: number };
  const p =
    config.real.type === 'zipf'
      ? zipfProbabilities(real.outcomes as number, real.exponent as number)
      : config.real.type === 'categorical'
        ? real.probabilities
        : undefined;
  const M = config.samplesPerGeneration;
  if (!p || config.policy.type !== 'replace' || (config.realSize ?? M) !== M) return [];
  return Array.from({ length: generations }, (_, n) => ({
    generation: n,
    value: expectedGiniSimpson(p, M, n + 1),
    series: 'theory E[Gini–Simpson]',
  }));
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

export function compareSupportFigure(groups: readonly RunGroup[]): Figure {
  return {
    id: 'categorical-compare',
    title: 'Support size and total variation, compared',
    caption: 'One line per configuration (mean over seeds; band: its 95% interval).',
    spec: grid(
      PANELS.map((p) =>
        curvePanel({ title: p.title, yTitle: p.axis, rows: groups.flatMap((g) => aggregate(g, p.metric)) }),
      ),
      2,
    ),
  };
}

export const categoricalFigures = {
  run: (run: RunData): Figure[] =>
    [probabilitiesFigure(run), supportFigure(run), diversityFigure([{ label: run.config.name, runs: [run] }])].filter(
      (f): f is Figure => !!f,
    ),
  compare: (groups: readonly RunGroup[]): Figure[] =>
    [compareSupportFigure(groups), diversityFigure(groups)].filter((f): f is Figure => !!f),
};
