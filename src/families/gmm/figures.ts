/**
 * Figures for `gmm`: the paper's panel of samples with the fitted components' 2σ ellipses at chosen
 * generations (the mixture shrinking to a point), and total variance, sliced W2 and held-out log-likelihood over
 * generations.
 */

import type { RunData } from '../../core/run-store.js';
import { curvePanel, grid } from '../../plots/charts.js';
import { aggregate, type RunGroup } from '../../plots/groups.js';
import type { Figure, VlSpec } from '../../plots/plot.js';
import { series } from '../../plots/series.js';

/** The generations of the paper's figure. */
export const PAPER_GENERATIONS = [0, 50, 100, 150, 200, 350, 2000];
/** Points per panel: enough to see the cloud, few enough to keep the SVG light. */
const POINTS_PER_PANEL = 500;
const ELLIPSE_STEPS = 64;

interface GmmSnapshotModel {
  readonly dim: number;
  readonly weights: number[];
  readonly means: number[];
  readonly covariances: number[];
}

/** The paper's generations where the run has snapshots of them; otherwise every snapshot (at most 8). */
export function chooseGenerations(available: readonly number[], wanted = PAPER_GENERATIONS): number[] {
  const hits = wanted.filter((g) => available.includes(g));
  if (hits.length >= 2) return hits;
  if (available.length <= 8) return [...available];
  return Array.from({ length: 8 }, (_, i) => available[Math.round((i * (available.length - 1)) / 7)]);
}

/** Points on the 2σ ellipse of the first two coordinates of a d-dimensional Gaussian. */
export function ellipse(mean: readonly number[], cov: readonly number[], d: number, radius = 2): [number, number][] {
  const a = cov[0];
  const b = cov[1];
  const c = cov[d + 1];
  // Cholesky of the 2×2 block; a collapsed covariance draws as a dot, not NaN.
  const l11 = Math.sqrt(Math.max(a, 0));
  const l21 = l11 > 0 ? b / l11 : 0;
  const l22 = Math.sqrt(Math.max(c - l21 * l21, 0));
  const out: [number, number][] = [];
  for (let i = 0; i <= ELLIPSE_STEPS; i++) {
    const t = (2 * Math.PI * i) / ELLIPSE_STEPS;
    const u = radius * Math.cos(t);
    const v = radius * Math.sin(t);
    out.push([mean[0] + l11 * u, mean[1] + l21 * u + l22 * v]);
  }
  return out;
}

export function samplesFigure(run: RunData, generations?: readonly number[]): Figure | undefined {
  const chosen = generations ?? chooseGenerations(run.snapshotGenerations);
  const rows: Record<string, unknown>[] = [];
  for (const g of chosen) {
    const snap = run.snapshot(g);
    if (!snap) continue;
    const panel = `generation ${g}`;
    const points = snap.samples.rows ?? [];
    const step = Math.max(1, Math.ceil(points.length / POINTS_PER_PANEL));
    for (let i = 0; i < points.length; i += step)
      rows.push({ panel, kind: 'sample', x: points[i][0], y: points[i][1] ?? 0 });
    const model = snap.model as unknown as GmmSnapshotModel;
    const d = model.dim;
    model.weights.forEach((w, k) => {
      const mean = model.means.slice(k * d, k * d + d);
      const cov = model.covariances.slice(k * d * d, (k + 1) * d * d);
      const component = `component ${k + 1}`;
      ellipse(mean, cov, d).forEach(([x, y], order) => {
        rows.push({ panel, kind: 'ellipse', component, key: `${panel}/${component}`, order, x, y, weight: w });
      });
    });
  }
  if (rows.length === 0) return undefined;
  const panels = [...new Set(rows.map((r) => r.panel as string))];
  // The last generation again, zoomed to its own extent: on the shared axes a collapsed mixture is a dot.
  const lastPanel = panels[panels.length - 1];
  const zoomed = `${lastPanel}, zoomed`;
  const cells = [
    ...panels.map((panel) => ({ panel, title: panel, shared: true })),
    { panel: lastPanel, title: zoomed, shared: false },
  ];
  const shared = { x: extent(rows, 'x'), y: extent(rows, 'y') };
  const spec: VlSpec = {
    concat: cells.map((cell) =>
      samplesPanel(
        rows.filter((r) => r.panel === cell.panel),
        cell.title,
        cell.shared ? shared : undefined,
      ),
    ),
    columns: gridColumns(cells.length),
    spacing: 16,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
  return {
    id: 'gmm-samples',
    title: 'Samples and fitted components',
    caption: `Each generation's synthetic samples (up to ${POINTS_PER_PANEL} shown) and the 2σ ellipses of its fitted components, on shared axes: the mixture drifts and shrinks as it is refitted to its own samples. The last panel is ${lastPanel} again on its own scale.`,
    spec,
  };
}

/** Columns for `n` panels: at most 4 a row, with no empty cell where a divisor allows it (8: 4 + 4; 9: 3 × 3). */
export function gridColumns(n: number): number {
  if (n <= 4) return n;
  for (const c of [4, 3]) if (n % c === 0) return c;
  return Math.ceil(n / Math.ceil(n / 4)); // as even as it can be (7: 4 + 3)
}

function extent(rows: readonly Record<string, unknown>[], field: 'x' | 'y'): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    const v = r[field] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const pad = (hi - lo) * 0.04 || 1e-9;
  return [lo - pad, hi + pad];
}

/** One generation's samples and ellipses; on the shared axes when `domains` is given, else on its own. */
function samplesPanel(
  rows: readonly Record<string, unknown>[],
  title: string,
  domains: { x: [number, number]; y: [number, number] } | undefined,
): VlSpec {
  const x = {
    field: 'x',
    type: 'quantitative',
    title: 'x₁',
    scale: domains ? { domain: domains.x, nice: false } : { zero: false },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: 'x₂',
    scale: domains ? { domain: domains.y, nice: false } : { zero: false },
  };
  return {
    title: { text: title, fontSize: 12 },
    width: 200,
    height: 200,
    data: { values: rows },
    layer: [
      {
        transform: [{ filter: "datum.kind === 'sample'" }],
        mark: { type: 'circle', size: 6, opacity: 0.35, color: '#0072B2', clip: true },
        encoding: { x, y },
      },
      {
        transform: [{ filter: "datum.kind === 'ellipse'" }],
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          x,
          y,
          order: { field: 'order', type: 'quantitative' },
          detail: { field: 'key' },
          color: {
            field: 'component',
            type: 'nominal',
            title: 'fitted 2σ ellipse',
            scale: { range: ['#D55E00', '#E69F00', '#009E73', '#CC79A7', '#000000'] },
            legend: { orient: 'bottom' },
          },
        },
      },
    ],
  };
}

const PANELS = [
  { metric: 'totalVariance', title: 'total variance', axis: 'total variance', yScale: 'log' as const },
  { metric: 'slicedWasserstein', title: 'sliced W2 to real data', axis: 'sliced W2', yScale: 'linear' as const },
  {
    metric: 'heldOutLogLikelihood',
    title: 'held-out log-likelihood',
    axis: 'log-likelihood',
    // It falls by orders of magnitude as the model collapses (−1.4 to −10⁸): symlog shows both ends.
    yScale: 'symlog' as const,
  },
];

export function collapseCurves(run: RunData): Figure {
  const panels = PANELS.map((p) =>
    curvePanel({
      title: p.title,
      yTitle: p.axis,
      yScale: p.yScale,
      rows: series(run.metrics, p.metric).map((r) => ({ ...r, series: p.title })),
    }),
  );
  return {
    id: 'gmm-collapse',
    title: 'Collapse over generations',
    caption:
      'Total variance (trace of the mixture covariance, log scale), sliced 2-Wasserstein distance from held-out real data, and mean log-likelihood of held-out real data.',
    spec: grid(panels, 3),
  };
}

export function compareCollapseCurves(groups: readonly RunGroup[]): Figure {
  const panels = PANELS.map((p) =>
    curvePanel({
      title: p.title,
      yTitle: p.axis,
      yScale: p.yScale,
      rows: groups.flatMap((g) => aggregate(g, p.metric)),
    }),
  );
  return {
    id: 'gmm-compare',
    title: 'Collapse over generations, compared',
    caption:
      'One line per configuration (mean over seeds, geometric for variances; band: its 95% interval where there are several).',
    spec: grid(panels, 3),
  };
}

export const gmmFigures = {
  run: (run: RunData): Figure[] => [samplesFigure(run), collapseCurves(run)].filter((f): f is Figure => !!f),
  compare: (groups: readonly RunGroup[]): Figure[] => [compareCollapseCurves(groups)],
};
