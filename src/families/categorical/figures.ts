/**
 * Figures for `categorical`: each outcome's probability over generations (written by the family when K ≤ 64),
 * the support size (an outcome that draws no sample is gone for good) and the total variation from the truth.
 */

import type { RunData } from '../../core/run-store.js';
import { type CurveRow, curvePanel, grid } from '../../plots/charts.js';
import { aggregate, type RunGroup } from '../../plots/groups.js';
import type { Figure } from '../../plots/plot.js';
import { series } from '../../plots/series.js';

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

export function compareSupportFigure(groups: readonly RunGroup[]): Figure {
  return {
    id: 'categorical-compare',
    title: 'Support size and total variation, compared',
    caption: 'One line per configuration (mean over seeds; band: 10th–90th percentile of the seeds).',
    spec: grid(
      PANELS.map((p) =>
        curvePanel({ title: p.title, yTitle: p.axis, rows: groups.flatMap((g) => aggregate(g, p.metric)) }),
      ),
      2,
    ),
  };
}

export const categoricalFigures = {
  run: (run: RunData): Figure[] => [probabilitiesFigure(run), supportFigure(run)].filter((f): f is Figure => !!f),
  compare: (groups: readonly RunGroup[]): Figure[] => [compareSupportFigure(groups)],
};
