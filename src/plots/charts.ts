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
  /** A second, smaller title line: the kind of collapse the panel's metric measures. */
  readonly subtitle?: string;
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
/** The report page's content width (plots/html.ts): a grid of panels fills it. */
export const PAGE_WIDTH = 1100;
/** More lines than this in one panel cannot be told apart: the panel becomes small multiples. */
export const MAX_LINES_PER_PANEL = 5;

/**
 * Okabe & Ito's palette (2008), distinguishable under the common colour-vision deficiencies (red–green
 * included); yellow last, as it is faint on white.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];
/** Each measured series also gets its own dash, so lines differ without colour (print, grey scale). */
const DASHES = [
  [1, 0],
  [7, 3],
  [2, 2],
  [7, 3, 2, 3],
  [12, 4],
  [4, 2, 1, 2],
  [1, 3],
  [10, 2, 2, 2],
];
/** Theory curves: one fine dash, whatever their colour. */
const THEORY_DASH = [5, 3];

export function curvePanel(panel: CurvePanel): VlSpec {
  const dashed = new Set(panel.dashed ?? []);
  const measured = [...new Set(panel.rows.map((r) => r.series))].filter((s) => !dashed.has(s));
  if (measured.length > MAX_LINES_PER_PANEL) return smallMultiples(panel, measured);
  const log = panel.yScale === 'log';
  const rows = thinRows(panel.rows.filter((r) => r.value !== null && (!log || (r.value as number) > 0)));
  const series = [...new Set(rows.map((r) => r.series))];
  const hasBand = rows.some((r) => r.lo !== undefined && r.hi !== undefined);
  // Generations are whole numbers (no "0.5" ticks on a short run), and the last one is always labelled.
  const last = rows.reduce((m, r) => Math.max(m, r.generation), 0);
  const first = rows.reduce((m, r) => Math.min(m, r.generation), last);
  const x = {
    field: 'generation',
    type: 'quantitative',
    title: 'generation',
    scale: { domain: [first, last], nice: false },
    axis: { values: generationTicks(first, last), format: ',d' },
  };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series, range: series.map((_, i) => PALETTE[i % PALETTE.length]) },
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
  const yAxis = {
    titleLimit: panel.height ?? 180,
    ...(log ? decadeAxis(rows) : panel.yScale === 'symlog' ? signedDecadeAxis(rows) : {}),
  };
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
  let k = 0;
  const dashes = series.map((s) => (dashed.has(s) ? THEORY_DASH : DASHES[k++ % DASHES.length]));
  layers.push({
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: panel.yTitle, scale: yScale, axis: yAxis },
      color,
      // The same field as colour, so the legend shows each line's colour and dash together.
      strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: dashes } },
    },
  });
  return {
    title: {
      text: panel.title,
      fontSize: 12,
      ...(panel.subtitle ? { subtitle: panel.subtitle, subtitleFontSize: 10 } : {}),
    },
    width: panel.width ?? 420,
    height: panel.height ?? 220,
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

/**
 * About six round ticks from `first` to `last`, and `last` itself (a run's final generation is the one people
 * look for); a round tick too close to it to print beside it gives way.
 */
export function generationTicks(first: number, last: number): number[] {
  if (last <= first) return [first];
  const span = last - first;
  const raw = span / 6;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude);
  const ticks: number[] = [];
  for (let t = Math.ceil(first / step) * step; t < last; t += step) if (last - t >= step * 0.4) ticks.push(t);
  if (ticks[0] !== first && (ticks.length === 0 || ticks[0] - first >= step * 0.4)) ticks.unshift(first);
  ticks.push(last);
  return ticks;
}

/** A panel with too many lines as several, each with at most MAX_LINES_PER_PANEL of them and every theory line. */
function smallMultiples(panel: CurvePanel, measured: readonly string[]): VlSpec {
  const parts = Math.ceil(measured.length / MAX_LINES_PER_PANEL);
  const size = Math.ceil(measured.length / parts);
  const dashed = new Set(panel.dashed ?? []);
  const panels = Array.from({ length: parts }, (_, p) => {
    const mine = new Set(measured.slice(p * size, (p + 1) * size));
    return curvePanel({
      ...panel,
      title: `${panel.title} (${p + 1}/${parts})`,
      rows: panel.rows.filter((r) => mine.has(r.series) || dashed.has(r.series)),
    });
  });
  // Stacked, so that a grid of such panels keeps its columns.
  return { vconcat: panels, spacing: 16, resolve: { scale: { color: 'independent', strokeDash: 'independent' } } };
}

/** Ticks at 0 and ±powers of ten across the data for a symlog axis, whose own ticks bunch at one end. */
function signedDecadeAxis(rows: readonly CurveRow[]): VlSpec {
  const values = rows
    .flatMap((r) => [r.value as number, r.lo ?? Number.NaN, r.hi ?? Number.NaN])
    .filter(Number.isFinite);
  if (values.length === 0) return {};
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const ticks = new Set<number>();
  for (let k = 0; k <= 15; k++) {
    for (const t of [10 ** k, -(10 ** k)]) if (t >= lo && t <= hi) ticks.add(t);
  }
  if (lo <= 0 && hi >= 0) ticks.add(0);
  if (ticks.size < 2) return {};
  return { values: [...ticks].sort((a, b) => a - b), format: ',d' };
}

/** Panels side by side, wrapping after `columns`, together as wide as the page; each keeps its own scales and legend. */
export function grid(panels: readonly VlSpec[], columns = 3): VlSpec {
  if (panels.length === 1) return panels[0];
  const perRow = Math.min(columns, panels.length);
  // Each panel's width, leaving room for the spacing and each panel's y axis (~70 px).
  const width = Math.floor((PAGE_WIDTH - 24 * (perRow - 1)) / perRow) - 70;
  return {
    concat: panels.map((p) => ('width' in p && typeof p.width === 'number' ? { ...p, width } : p)),
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
