/**
 * The sweep report: for every grid cell (a point of the grid, over its seeds) the mean and a 95% interval of the
 * headline metric over generations; a table of final values; a heatmap of the final metric over two grid axes;
 * and tidy CSVs for pandas or R — finals.csv (one row per trial) and curves.csv (one row per trial, generation
 * and metric).
 */
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';
import { csv } from '../core/csv.js';
import type { Metrics } from '../core/family.js';
import { type RunData, readRun } from '../core/run-store.js';
import { isScaleLike, summarise } from '../metrics/seed-summary.js';
import { type CurveRow, curvePanel, grid } from '../plots/charts.js';
import { format } from '../plots/generic.js';
import { escapeHtml, table } from '../plots/html.js';
import type { Figure, VlSpec } from '../plots/plot.js';
import { numericMetricNames } from '../plots/series.js';
import { collapseRateTable } from '../reports/collapse-rates.js';
import { familyRunFigures } from '../reports/figures.js';
import { figuresHtml, renderAndSave, type WrittenReport, writePage } from '../reports/write.js';
import { canonicalJson } from './expand.js';
import { SweepFolder, type SweepRecord, type TrialRecord, type WorkerRecord } from './sweep-folder.js';

/** The metric a sweep is read by, unless its spec names one: the family's own collapse measure. */
const HEADLINES = ['variance', 'totalVariance', 'testPerplexity', 'supportSize', 'w2', 'rate'];

export interface Cell {
  readonly label: string;
  readonly point: Readonly<Record<string, unknown>>;
  readonly trials: { readonly record: TrialRecord; readonly run: RunData }[];
}

const cellLabel = (point: Readonly<Record<string, unknown>>) =>
  Object.entries(point)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? canonicalJson(v) : String(v)}`)
    .join(', ') || 'all';

function cellsOf(folder: SweepFolder): Cell[] {
  const byKey = new Map<string, Cell>();
  for (const record of folder.record.trials) {
    if (!folder.isFinished(record.id)) continue;
    const key = canonicalJson(record.point);
    let cell = byKey.get(key);
    if (!cell) byKey.set(key, (cell = { label: cellLabel(record.point), point: record.point, trials: [] }));
    cell.trials.push({ record, run: readRun(folder.trialDir(record.id)) });
  }
  return [...byKey.values()];
}

const final = (run: RunData, metric: string) => {
  const v = run.metrics[run.metrics.length - 1]?.[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

export function headlineMetric(record: SweepRecord, metrics: readonly Metrics[]): string | undefined {
  const named = (record.spec as { report?: { metric?: string } }).report?.metric;
  const names = numericMetricNames(metrics);
  return (
    named ?? HEADLINES.find((m) => names.includes(m)) ?? names.find((m) => !['trainSize', 'realFraction'].includes(m))
  );
}

function curves(cells: readonly Cell[], metric: string): Figure {
  const rows: CurveRow[] = [];
  for (const cell of cells) {
    const byGeneration = new Map<number, number[]>();
    for (const { run } of cell.trials)
      for (const m of run.metrics) {
        const v = m[metric];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const g = m.generation as number;
        byGeneration.set(g, [...(byGeneration.get(g) ?? []), v]);
      }
    for (const [generation, xs] of [...byGeneration].sort((a, b) => a[0] - b[0])) {
      const { mean, lo, hi, n } = summarise(metric, xs);
      rows.push({ generation, value: mean, series: cell.label, ...(n > 1 ? { lo, hi } : {}) });
    }
  }
  // At most 6 cells a panel, so every line stays readable.
  const panels: VlSpec[] = [];
  const labels = cells.map((c) => c.label);
  for (let i = 0; i < labels.length; i += 6) {
    const mine = new Set(labels.slice(i, i + 6));
    const positive = rows.every((r) => (r.lo ?? r.value ?? 1) > 0);
    panels.push(
      curvePanel({
        title: labels.length > 6 ? `${metric} (cells ${i + 1}–${Math.min(i + 6, labels.length)})` : metric,
        yTitle: metric,
        rows: rows.filter((r) => mine.has(r.series)),
        yScale: positive && isScaleLike(metric) ? 'log' : 'linear',
      }),
    );
  }
  return {
    id: 'sweep-curves',
    title: `${metric} by generation, per grid cell`,
    caption: isScaleLike(metric)
      ? 'Each line is one grid cell: the geometric mean over its seeds, with a band for its 95% interval (a t interval on the log scale).'
      : 'Each line is one grid cell: the mean over its seeds, with a band for the 95% interval of that mean.',
    spec: grid(panels, 2),
  };
}

/** The final metric's (geometric) mean per cell over the first two grid axes, one panel per value of the others. */
function heatmap(cells: readonly Cell[], axes: readonly string[], metric: string): Figure | undefined {
  if (axes.length < 2) return undefined;
  const [x, y, ...rest] = axes;
  const label = (v: unknown) => (typeof v === 'string' ? v : canonicalJson(v));
  const values = cells.flatMap((c) => {
    const finals = c.trials.map((t) => final(t.run, metric)).filter((v): v is number => v !== undefined);
    if (finals.length === 0) return [];
    const { mean } = summarise(metric, finals);
    const panel = rest.map((a) => `${a}=${label(c.point[a])}`).join(', ');
    return [{ x: label(c.point[x]), y: label(c.point[y]), panel, mean, text: format(mean) }];
  });
  const scale = isScaleLike(metric) && values.every((v) => v.mean > 0) ? { type: 'log' } : {};
  const cellSpec = {
    width: 300,
    height: 200,
    layer: [
      {
        mark: 'rect',
        encoding: {
          x: { field: 'x', type: 'ordinal', title: x, sort: null },
          y: { field: 'y', type: 'ordinal', title: y, sort: null },
          color: { field: 'mean', type: 'quantitative', title: metric, scale: { scheme: 'viridis', ...scale } },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          x: { field: 'x', type: 'ordinal', sort: null },
          y: { field: 'y', type: 'ordinal', sort: null },
          text: { field: 'text' },
          color: { value: 'white' },
        },
      },
    ],
  };
  return {
    id: 'sweep-heatmap',
    title: `final ${metric} over ${x} × ${y}`,
    caption: `The last generation's ${metric} in each cell (${isScaleLike(metric) ? 'geometric ' : ''}mean over seeds)${rest.length ? `, one panel per ${rest.join(', ')}` : ''}. Empty: no finished trial there, or the metric is not defined for it.`,
    spec: rest.length
      ? {
          data: { values },
          facet: { column: { field: 'panel', type: 'nominal', title: null } },
          spec: cellSpec,
          resolve: { scale: { color: 'independent' } },
        }
      : { data: { values }, ...cellSpec },
  };
}

/**
 * Parallel coordinates: one line per finished trial through its value on every grid axis and its final metric,
 * coloured by that metric. Each axis is placed by rank of its distinct values (numbers in order, others as they
 * come), the metric on its own (log for scale-like) range, all mapped to [0, 1]; text marks name the values.
 */
function parallelCoordinates(cells: readonly Cell[], axes: readonly string[], metric: string): Figure | undefined {
  const trials = cells.flatMap((c) =>
    c.trials.flatMap((t) => {
      const v = final(t.run, metric);
      return v === undefined ? [] : [{ id: t.record.id, point: c.point, final: v }];
    }),
  );
  if (axes.length === 0 || trials.length < 2) return undefined;
  const logScale = isScaleLike(metric) && trials.every((t) => t.final > 0);
  const label = (v: unknown) => (typeof v === 'string' ? v : canonicalJson(v));
  const positions = new Map<string, Map<string, number>>();
  for (const axis of axes) {
    const distinct = [...new Map(trials.map((t) => [label(t.point[axis]), t.point[axis]])).entries()];
    if (distinct.every(([, v]) => typeof v === 'number')) distinct.sort((a, b) => (a[1] as number) - (b[1] as number));
    positions.set(
      axis,
      new Map(distinct.map(([k], i) => [k, distinct.length === 1 ? 0.5 : i / (distinct.length - 1)])),
    );
  }
  const scaled = trials.map((t) => (logScale ? Math.log10(t.final) : t.final));
  const [lo, hi] = [Math.min(...scaled), Math.max(...scaled)];
  const lines = trials.flatMap((t, i) => [
    ...axes.map((axis) => ({
      trial: t.id,
      dimension: axis,
      y: positions.get(axis)?.get(label(t.point[axis])),
      final: t.final,
    })),
    { trial: t.id, dimension: `final ${metric}`, y: hi > lo ? (scaled[i] - lo) / (hi - lo) : 0.5, final: t.final },
  ]);
  const ticks = [
    ...axes.flatMap((axis) => [...(positions.get(axis) ?? [])].map(([text, y]) => ({ dimension: axis, y, text }))),
    { dimension: `final ${metric}`, y: 0, text: format(logScale ? 10 ** lo : lo) },
    { dimension: `final ${metric}`, y: 1, text: format(logScale ? 10 ** hi : hi) },
  ];
  const order = [...axes, `final ${metric}`];
  const x = { field: 'dimension', type: 'nominal', sort: order, title: null, axis: { labelAngle: 0 } };
  return {
    id: 'sweep-parallel',
    title: `Every trial across the grid and its final ${metric}`,
    caption: `Parallel coordinates: one line per trial, through its grid values and its final ${metric} (colour; ${logScale ? 'log scale' : 'linear'}). Lines that converge on one end of the last axis show which settings decide the outcome.`,
    spec: {
      width: Math.max(300, 160 * order.length),
      height: 260,
      layer: [
        {
          data: { values: lines },
          mark: { type: 'line', opacity: 0.6, strokeWidth: 1.5 },
          encoding: {
            x,
            y: { field: 'y', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
            detail: { field: 'trial', type: 'nominal' },
            color: {
              field: 'final',
              type: 'quantitative',
              title: metric,
              scale: { scheme: 'viridis', ...(logScale ? { type: 'log' } : {}) },
            },
          },
        },
        {
          data: { values: ticks },
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
          encoding: { x, y: { field: 'y', type: 'quantitative' }, text: { field: 'text' } },
        },
      ],
    },
  };
}

/** Trial figures are drawn for this many grid cells at most (a PNG each is slow for a large grid). */
const TRIAL_FIGURE_CELLS = 12;

/**
 * The family's own figures (samples, fitted models) of one trial per grid cell, its first seed: on a fleet they
 * are drawn from the snapshot samples that came back through the queue, so no shared storage is needed.
 */
function trialFigures(cells: readonly Cell[]): Figure[] {
  return cells.slice(0, TRIAL_FIGURE_CELLS).flatMap((cell, i) => {
    const first = [...cell.trials].sort((a, b) => a.record.seed - b.record.seed)[0];
    if (!first) return [];
    return familyRunFigures(first.run).map((f) => ({
      ...f,
      id: `trial-${i + 1}-${f.id}`,
      title: `${cell.label}, seed ${first.record.seed}: ${f.title}`,
    }));
  });
}

export const WORKER_HEADER = ['worker', 'state', 'last heartbeat', 'silent for', 'gone after'] as const;

/** A fleet's workers as rows (report and `sweep --status`): each live or gone, with its last heartbeat. */
export function workerRows(workers: readonly WorkerRecord[]): string[][] {
  return workers.map((w) => [
    w.id,
    w.stopped ? 'gone (stopped)' : w.state,
    w.lastBeat,
    `${((Date.parse(w.asOf) - Date.parse(w.lastBeat)) / 1000).toFixed(1)} s (at ${w.asOf})`,
    `${w.goneAfterSeconds} s`,
  ]);
}

/** What the sweep report and the web UI show of a sweep: its cells, headline metric, figures and cell table. */
export interface SweepView {
  readonly record: SweepRecord;
  readonly folder: SweepFolder;
  readonly cells: readonly Cell[];
  readonly metric: string | undefined;
  readonly figures: readonly Figure[];
  /** Per grid cell: label, n, mean of the final headline metric, its 95% interval. */
  readonly cellRows: readonly (readonly string[])[];
  readonly cellHeader: readonly string[];
}

export function sweepView(dir: string): SweepView {
  const record = SweepFolder.read(dir);
  if (!record) throw new Error(`${dir} is not a sweep folder (no sweep.json)`);
  const folder = SweepFolder.open(dir, record);
  const cells = cellsOf(folder);
  const metric = headlineMetric(
    record,
    cells.flatMap((c) => c.trials.flatMap((t) => t.run.metrics)),
  );
  const figures = metric
    ? [
        curves(cells, metric),
        heatmap(cells, record.axes, metric),
        parallelCoordinates(cells, record.axes, metric),
      ].filter((f): f is Figure => f !== undefined)
    : [];
  const cellRows = cells.map((c) => {
    const finals = c.trials
      .map((t) => (metric ? final(t.run, metric) : undefined))
      .filter((v): v is number => v !== undefined);
    // The same summary as the heatmap and the curves: geometric for scale-like metrics, as the header says.
    const { mean, lo, hi, n } =
      finals.length && metric ? summarise(metric, finals) : { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN, n: 0 };
    return [c.label, String(n), format(mean), n > 1 ? `[${format(lo)}, ${format(hi)}]` : '–'];
  });
  const cellHeader = [
    'grid cell',
    'n (seeds)',
    `${metric && isScaleLike(metric) && cells.every((c) => c.trials.every((t) => (final(t.run, metric) ?? 1) > 0)) ? 'geometric mean' : 'mean'} of final ${metric ?? ''}`,
    '95% interval [lo, hi]',
  ];
  return { record, folder, cells, metric, figures, cellRows, cellHeader };
}

/** Writes report.html, figures/, finals.csv and curves.csv into the sweep folder. */
export async function buildSweepReport(dir: string): Promise<WrittenReport> {
  const { record, folder, cells, metric, figures, cellRows, cellHeader } = sweepView(dir);
  const all = cells.flatMap((c) => c.trials.map((t) => t.run));
  const metrics = numericMetricNames(all.flatMap((r) => r.metrics));
  const axes = record.axes;

  const trials = cells.flatMap((c) => c.trials);
  writeFileAtomic(
    path.join(dir, 'finals.csv'),
    csv([
      ['trial', ...axes, 'seed', 'generations', ...metrics],
      ...trials.map(({ record: t, run }) => [
        t.id,
        ...axes.map((a) => t.point[a]),
        t.seed,
        run.metrics.length,
        ...metrics.map((m) => final(run, m)),
      ]),
    ]),
  );
  const tidy: unknown[][] = [['trial', ...axes, 'seed', 'generation', 'metric', 'value']];
  for (const { record: t, run } of trials)
    for (const line of run.metrics)
      for (const m of metrics) {
        const v = line[m];
        if (typeof v === 'number') tidy.push([t.id, ...axes.map((a) => t.point[a]), t.seed, line.generation, m, v]);
      }
  writeFileAtomic(path.join(dir, 'curves.csv'), csv(tidy));

  const rendered = await renderAndSave(dir, figures);
  const perTrial = await renderAndSave(dir, trialFigures(cells));
  const counts = folder.counts();
  const failed = record.trials.filter((t) => t.state === 'failed');
  const html = writePage(
    dir,
    `Sweep ${record.name}`,
    `${record.trials.length} trials (${counts.finished} finished, ${counts.failed} failed) over ${axes.length ? axes.join(' × ') : 'one point'}; ran on ${record.runner}`,
    [
      {
        title: `Final ${metric ?? 'metric'} per grid cell`,
        html: table(cellHeader, cellRows),
      },
      ...((rates) => (rates ? [{ title: 'Collapse rate per grid cell', html: rates }] : []))(
        collapseRateTable(cells.map((c) => ({ label: c.label, runs: c.trials.map((t) => t.run) }))),
      ),
      { title: 'Figures', html: figuresHtml(rendered) },
      ...(perTrial.length
        ? [
            {
              title: 'Trial figures',
              html: `<p>One trial per grid cell (its first seed${cells.length > TRIAL_FIGURE_CELLS ? `; the first ${TRIAL_FIGURE_CELLS} cells of ${cells.length}` : ''}); every trial's own report: <code>collapse-lab report ${escapeHtml(path.join(dir, 'trials', '<id>'))}</code>.</p>${figuresHtml(perTrial)}`,
            },
          ]
        : []),
      ...(record.workers?.length
        ? [
            {
              title: 'Workers',
              html: `<p>Every worker seen during the sweep, as the coordinator last saw it; a worker silent for three heartbeats is gone.</p>${table([...WORKER_HEADER], workerRows(record.workers))}`,
            },
          ]
        : []),
      ...(failed.length
        ? [
            {
              title: 'Failed trials',
              html: table(
                ['trial', 'grid cell', 'seed', 'attempts', 'error'],
                failed.map((t) => [t.id, cellLabel(t.point), String(t.seed), String(t.attempts), t.error ?? '']),
              ),
            },
          ]
        : []),
      {
        title: 'Data',
        html: '<p>finals.csv: one row per trial (its grid values, seed and every final metric). curves.csv: one row per trial, generation and metric, for pandas (<code>pd.read_csv</code>) or R.</p>',
      },
    ],
  );
  return {
    html,
    pngs: [...rendered, ...perTrial].map((f) => `figures/${f.id}.png`),
    figures: [...rendered, ...perTrial],
  };
}
