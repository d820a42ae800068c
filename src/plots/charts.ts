/**
 * Spec builders the figures share: a curve panel (lines over generations, optionally with a shaded band and
 * dashed theory lines) and a grid of panels. Figures stay declarative: rows in, a Vega-Lite spec out.
 */
import type { VlSpec } from './plot.js';

/** One point of one curve; `lo`/`hi` give its band (a spread over seeds, or a theoretical interval). */
export interface CurveRow {
  readonly generation: number;
  readonly value: number | null;
  readonly series: string;
  readonly lo?: number;
  readonly hi?: number;
}

export interface CurvePanel {
  readonly title: string;
  /** null: no y title (the panel's title already names the metric). */
  readonly yTitle: string | null;
  readonly rows: readonly CurveRow[];
  readonly yScale?: 'linear' | 'log' | 'symlog';
  /** Series drawn dashed (theory curves). */
  readonly dashed?: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

/** Most panels are ~300 px wide; beyond ~600 points a curve only costs bytes. */
const MAX_POINTS = 600;

export function curvePanel(panel: CurvePanel): VlSpec {
  const log = panel.yScale === 'log';
  const rows = thinRows(panel.rows.filter((r) => r.value !== null && (!log || (r.value as number) > 0)));
  const series = [...new Set(rows.map((r) => r.series))];
  const hasBand = rows.some((r) => r.lo !== undefined && r.hi !== undefined);
  // Generations are whole numbers: no "0.5" ticks on a short run.
  const x = { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1, format: ',d' } };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series },
    legend:
      series.length > 1
        ? {
            orient: 'bottom',
            columns: 2,
            labelLimit: 420,
            // Solid line swatches: merged with a band's legend they would take its pale fill.
            symbolType: 'stroke',
            symbolStrokeWidth: 2,
            symbolOpacity: 1,
          }
        : null,
  };
  const yScale = panel.yScale && panel.yScale !== 'linear' ? { type: panel.yScale } : { zero: false };
  // A y title longer than the panel is tall would push the panel's title up out of line with its neighbours.
  const yAxis = { titleLimit: panel.height ?? 180, ...(log ? decadeAxis(rows) : {}) };
  const layers: VlSpec[] = [];
  if (hasBand) {
    layers.push({
      transform: [{ filter: log ? 'isValid(datum.lo) && datum.lo > 0' : 'isValid(datum.lo)' }],
      mark: { type: 'area', opacity: 0.18 },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', title: panel.yTitle, scale: yScale, axis: yAxis },
        y2: { field: 'hi' },
        color,
      },
    });
  }
  const dashed = panel.dashed ?? [];
  layers.push({
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: panel.yTitle, scale: yScale, axis: yAxis },
      color,
      ...(dashed.length > 0
        ? {
            strokeDash: {
              condition: { test: `indexof(${JSON.stringify(dashed)}, datum.series) >= 0`, value: [5, 3] },
              value: [1, 0],
            },
          }
        : {}),
    },
  });
  return {
    title: { text: panel.title, fontSize: 12 },
    width: panel.width ?? 300,
    height: panel.height ?? 180,
    data: { values: rows },
    layer: layers,
  };
}

/**
 * Ticks at powers of ten (every k-th decade, at most 8) for a log axis: vega's own log ticks fill a panel
 * spanning many decades with minor grid lines.
 */
function decadeAxis(rows: readonly CurveRow[]): VlSpec {
  const values = rows.flatMap((r) => [r.value as number, r.lo ?? Number.NaN, r.hi ?? Number.NaN]).filter((v) => v > 0);
  if (values.length === 0) return {};
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  if (hi - lo < 3) return {}; // within a few decades vega's own ticks read better
  const step = Math.max(1, Math.ceil((hi - lo) / 7));
  const ticks = [];
  for (let k = hi; k >= lo; k -= step) ticks.push(10 ** k);
  return { values: ticks.reverse(), format: '~g' };
}

/** Panels side by side, wrapping after `columns`; each keeps its own scales and legend. */
export function grid(panels: readonly VlSpec[], columns = 3): VlSpec {
  if (panels.length === 1) return panels[0];
  return {
    concat: panels,
    columns,
    spacing: 24,
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
  };
}

/**
 * Keeps at most MAX_POINTS per series: per bucket of generations the minimum and the maximum, so spikes and
 * collapses stay visible while the SVG stays small.
 */
export function thinRows<R extends CurveRow>(rows: readonly R[], max = MAX_POINTS): R[] {
  const bySeries = new Map<string, R[]>();
  for (const r of rows) {
    let list = bySeries.get(r.series);
    if (!list) bySeries.set(r.series, (list = []));
    list.push(r);
  }
  const out: R[] = [];
  for (const list of bySeries.values()) {
    if (list.length <= max) {
      out.push(...list);
      continue;
    }
    const buckets = Math.floor(max / 2);
    const size = list.length / buckets;
    for (let b = 0; b < buckets; b++) {
      const part = list.slice(Math.floor(b * size), Math.floor((b + 1) * size));
      if (part.length === 0) continue;
      let lo = part[0];
      let hi = part[0];
      for (const r of part) {
        if ((r.value as number) < (lo.value as number)) lo = r;
        if ((r.value as number) > (hi.value as number)) hi = r;
      }
      const pair = lo.generation <= hi.generation ? [lo, hi] : [hi, lo];
      out.push(...(lo === hi ? [lo] : pair));
    }
    const last = list[list.length - 1];
    if (out[out.length - 1] !== last) out.push(last);
  }
  return out;
}
