/**
 * Figures for the language-model families (the paper's protocol, families/lm/): perplexity of the real test set,
 * the distribution of per-block perplexity of each generation's synthetic text under the generation-0 model (the paper's figure:
 * later generations write text the first model finds more likely, plus a long tail), how much of the vocabulary
 * survives, and, as a table rather than a figure, the fixed prompts' continuations at each snapshot generation.
 *
 * Every builder returns nothing when its metrics are missing, so an unfinished or older run still gets a report.
 */
import type { Metrics } from '../../core/family.js';
import type { RunData } from '../../core/run-store.js';
import { type CurveRow, curvePanel, grid } from '../../plots/charts.js';
import { format } from '../../plots/generic.js';
import { aggregate, type RunGroup } from '../../plots/groups.js';
import { escapeHtml, type Section, table } from '../../plots/html.js';
import type { Figure, VlSpec } from '../../plots/plot.js';
import { series } from '../../plots/series.js';

const HISTOGRAM = 'syntheticPerplexityHistogram';
const EDGES = 'syntheticPerplexityEdges';
const QUANTILES = ['P05', 'P25', 'P50', 'P75', 'P95'] as const;
/** Light to dark: the outer band, the inner band, the median. */
const BLUES = ['#c6dbef', '#6baed6', '#08519c'];
/** Vega's default categorical colours, which curvePanel's lines take in order. */
const TABLEAU = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6'];
/** Generation 0 under a comparison's configurations: the reference, in grey. */
const REFERENCE = '#9a9a9a';
/** Beyond this many configurations overlaid histograms are a blur; the quantile curves still compare them. */
const HISTOGRAMS_UP_TO = 4;

const has = (metrics: readonly Metrics[], name: string) => metrics.some((m) => m[name] !== undefined);
const numbers = (v: unknown): number[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'number') ? v : undefined;

/** Generation 0, the middle one and the last among `generations` (ascending), without repeats. */
export function firstMiddleLast(generations: readonly number[]): number[] {
  if (generations.length === 0) return [];
  const picks = [0, Math.floor((generations.length - 1) / 2), generations.length - 1].map((i) => generations[i]);
  return [...new Set(picks)];
}

// ---- the per-block perplexity histogram ----------------------------------------------------------------

interface HistogramRow {
  readonly series: string;
  readonly perplexity: number;
  readonly share: number;
}

/** One histogram as shares of its blocks, with the counts' own bin edges. */
export interface Shares {
  readonly series: string;
  readonly edges: readonly number[];
  readonly shares: readonly number[];
}

function sharesOf(line: Metrics | undefined, series: string): Shares | undefined {
  const counts = numbers(line?.[HISTOGRAM]);
  const edges = numbers(line?.[EDGES]);
  if (!counts || !edges || edges.length !== counts.length + 1) return undefined;
  const total = counts.reduce((a, b) => a + b, 0);
  return total > 0 ? { series, edges, shares: counts.map((c) => c / total) } : undefined;
}

/** Mean shares over several histograms with the same edges (the seeds of one configuration). */
function meanShares(all: readonly Shares[], series: string): Shares | undefined {
  const first = all[0];
  if (!first) return undefined;
  const shares = first.shares.map((_, k) => all.reduce((s, h) => s + (h.shares[k] ?? 0), 0) / all.length);
  return { series, edges: first.edges, shares };
}

/**
 * Step outlines for vega's step-after interpolation: a point at each bin's left edge, and one more at the last
 * bin's right edge so it keeps its width. Empty bins beyond every histogram's support are left off, so the x
 * axis spans only the perplexities that occur.
 */
export function histogramRows(histograms: readonly Shares[]): HistogramRow[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = -1;
  for (const h of histograms) {
    h.shares.forEach((s, k) => {
      if (s > 0) {
        lo = Math.min(lo, k);
        hi = Math.max(hi, k);
      }
    });
  }
  if (hi < 0) return [];
  return histograms.flatMap((h) => [
    ...h.shares.slice(lo, hi + 1).map((share, i) => ({ series: h.series, perplexity: h.edges[lo + i], share })),
    { series: h.series, perplexity: h.edges[hi + 1], share: h.shares[hi] },
  ]);
}

interface HistogramLook {
  readonly width?: number;
  /** Colours in the order of the histograms (default: vega's own). */
  readonly colors?: readonly string[];
  readonly legendColumns?: number;
  readonly xTitle?: string;
}

function histogramPanel(title: string, histograms: readonly Shares[], look: HistogramLook = {}): VlSpec {
  const rows = histogramRows(histograms);
  const names = histograms.map((h) => h.series);
  const x = {
    field: 'perplexity',
    type: 'quantitative',
    title: look.xTitle ?? 'perplexity under the generation-0 model',
    scale: { type: 'log', nice: false },
    // A title wider than the panel would widen its whole column of the comparison grid.
    axis: { format: '~s', grid: false, titleLimit: (look.width ?? 380) + 40 },
  };
  // titleLimit: a y title taller than the panel would lift this panel's title above its neighbour's.
  const y = { field: 'share', type: 'quantitative', title: 'share of blocks', stack: null, axis: { titleLimit: 200 } };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: names, range: look.colors ?? TABLEAU },
    legend: { orient: 'bottom', symbolType: 'square', labelLimit: 420, columns: look.legendColumns ?? 2 },
  };
  return {
    title: { text: title, fontSize: 12 },
    width: look.width ?? 380,
    height: 200,
    data: { values: rows },
    layer: [
      { mark: { type: 'area', interpolate: 'step-after', opacity: 0.18 }, encoding: { x, y, color } },
      { mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 }, encoding: { x, y, color } },
    ],
  };
}

// ---- quantiles of per-block perplexity over generations --------------------------------------------------

interface QuantileRow {
  readonly generation: number;
  readonly series: string;
  readonly value?: number;
  readonly lo?: number;
  readonly hi?: number;
}

export function quantileRows(metrics: readonly Metrics[]): QuantileRow[] {
  const rows: QuantileRow[] = [];
  for (const m of metrics) {
    const [p05, p25, p50, p75, p95] = QUANTILES.map((q) => m[`syntheticPerplexity${q}`]);
    const generation = m.generation as number;
    if (typeof p05 === 'number' && typeof p95 === 'number')
      rows.push({ generation, series: 'P05–P95', lo: p05, hi: p95 });
    if (typeof p25 === 'number' && typeof p75 === 'number')
      rows.push({ generation, series: 'P25–P75', lo: p25, hi: p75 });
    if (typeof p50 === 'number') rows.push({ generation, series: 'median (P50)', value: p50 });
  }
  return rows.filter((r) => [r.value, r.lo, r.hi].every((v) => v === undefined || (Number.isFinite(v) && v > 0)));
}

function quantilePanel(rows: readonly QuantileRow[]): VlSpec {
  const x = { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1, format: ',d' } };
  const yScale = { type: 'log' };
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: ['P05–P95', 'P25–P75', 'median (P50)'], range: BLUES },
    legend: { orient: 'bottom', symbolType: 'square', symbolOpacity: 1 },
  };
  // Bands one layer each, outer first, so the inner band is drawn on top.
  const band = (series: string) => ({
    transform: [{ filter: `datum.series === '${series}'` }],
    mark: { type: 'area', opacity: 0.9 },
    encoding: {
      x,
      y: { field: 'lo', type: 'quantitative', title: 'perplexity (log scale)', scale: yScale },
      y2: { field: 'hi' },
      color,
    },
  });
  return {
    title: { text: 'per-block perplexity, quantiles', fontSize: 12 },
    width: 300,
    height: 200,
    data: { values: rows },
    layer: [
      band('P05–P95'),
      band('P25–P75'),
      {
        transform: [{ filter: "datum.series === 'median (P50)'" }],
        mark: { type: 'line', strokeWidth: 2, point: { size: 18 } },
        encoding: { x, y: { field: 'value', type: 'quantitative', scale: yScale }, color },
      },
    ],
  };
}

// ---- run figures -----------------------------------------------------------------------------------------

export function testPerplexityFigure(run: RunData): Figure | undefined {
  if (!has(run.metrics, 'testPerplexity')) return undefined;
  const perWord = has(run.metrics, 'testPerplexityPerWord')
    ? series(run.metrics, 'testPerplexityPerWord').map((r) => ({ ...r, series: 'per word' }))
    : [];
  return {
    id: 'lm-test-perplexity',
    title: 'Perplexity of the real test set over generations',
    caption:
      'Each generation’s model scored on the real held-out text (WikiText-2’s test set, or the held-out part of your corpus), per token and per word (the same log-loss over the text’s words, so word-level and BPE models compare). Under replace it climbs as each model learns from the previous one’s text instead of people’s.',
    spec: curvePanel({
      title: 'test perplexity (real text)',
      yTitle: 'perplexity',
      rows: [
        ...series(run.metrics, 'testPerplexity').map((r) => ({
          ...r,
          series: perWord.length ? 'per token' : 'test perplexity',
        })),
        ...perWord,
      ],
      width: 420,
      height: 200,
    }),
  };
}

/** The paper's figure: histograms for a few generations, and the quantiles of every generation. */
export function syntheticPerplexityFigure(run: RunData): Figure | undefined {
  const byGeneration = new Map(run.metrics.map((m) => [m.generation as number, m]));
  const withHistogram = run.metrics.filter((m) => sharesOf(m, '') !== undefined).map((m) => m.generation as number);
  const histograms = firstMiddleLast(withHistogram)
    .map((g) => sharesOf(byGeneration.get(g), `generation ${g}`))
    .filter((h): h is Shares => h !== undefined);
  const quantiles = quantileRows(run.metrics);
  const panels = [
    ...(histograms.length > 0 ? [histogramPanel('per-block perplexity, histogram', histograms)] : []),
    ...(quantiles.length > 0 ? [quantilePanel(quantiles)] : []),
  ];
  if (panels.length === 0) return undefined;
  return {
    id: 'lm-synthetic-perplexity',
    title: 'Perplexity of the synthetic text under the generation-0 model',
    caption: `Each synthetic block (one continuation) scored by the model fitted to real data. Left: the share of blocks per perplexity bin at the first, a middle and the last generation; right: the 5th to 95th percentiles of every generation. In the paper (beam search) later generations write text the first model finds more likely, the mass moving left, with a growing tail of text it finds unlikely.${medianShift(run.metrics)}`,
    spec: grid(panels, 2),
  };
}

/** The caption's numbers: where this run's median and 95th percentile went. */
function medianShift(metrics: readonly Metrics[]): string {
  const first = metrics[0];
  const last = metrics[metrics.length - 1];
  const p = (m: Metrics | undefined, q: string) => m?.[`syntheticPerplexity${q}`];
  const values = [p(first, 'P50'), p(last, 'P50'), p(first, 'P95'), p(last, 'P95')];
  if (metrics.length < 2 || !values.every((v) => typeof v === 'number')) return '';
  const [a, b, c, d] = (values as number[]).map((v) => format(Number(v.toPrecision(3))));
  return ` Here the median went from ${a} at generation ${first.generation} to ${b} at generation ${last.generation}, the 95th percentile from ${c} to ${d}.`;
}

const DISTINCT = [
  { metric: 'distinct1', label: 'distinct-1' },
  { metric: 'distinct2', label: 'distinct-2' },
  { metric: 'distinct3', label: 'distinct-3' },
];

export function vocabularyFigure(run: RunData): Figure | undefined {
  const rareShare = (run.config.family.rareTypeFraction as number | undefined) ?? 0.1;
  const panels = [];
  if (has(run.metrics, 'vocabularyTypes'))
    panels.push(
      curvePanel({
        title: 'word types in the synthetic text',
        yTitle: 'types',
        rows: series(run.metrics, 'vocabularyTypes').map((r) => ({ ...r, series: 'types' })),
      }),
    );
  if (has(run.metrics, 'rareTypesProduced'))
    panels.push(
      curvePanel({
        title: 'real data’s rare types still produced',
        yTitle: 'share',
        rows: series(run.metrics, 'rareTypesProduced').map((r) => ({ ...r, series: 'rare types' })),
      }),
    );
  const distinct = DISTINCT.flatMap((d) => series(run.metrics, d.metric).map((r) => ({ ...r, series: d.label })));
  if (distinct.some((r) => r.value !== null))
    panels.push(curvePanel({ title: 'distinct n-grams', yTitle: 'distinct share', rows: distinct }));
  if (panels.length === 0) return undefined;
  return {
    id: 'lm-vocabulary',
    title: 'What the synthetic text still uses',
    caption: `Word types occurring in each generation’s synthetic text; the share of the real data’s rare types (its least frequent ${Math.round(rareShare * 100)}% of types) produced at least once; and distinct-n, the share of n-grams in the synthetic text that are distinct.`,
    spec: grid(panels, 3),
  };
}

// ---- the continuations table -----------------------------------------------------------------------------

interface Continuation {
  readonly prompt: string;
  readonly continuation: string;
}

/** Snapshot generations whose model carries its fixed prompts' continuations as text, with them. */
export function snapshotContinuations(run: RunData): { generation: number; items: Continuation[] }[] {
  return run.snapshotGenerations.flatMap((generation) => {
    const items = run.snapshot(generation)?.model.continuations;
    return Array.isArray(items) && items.length > 0 ? [{ generation, items: items as Continuation[] }] : [];
  });
}

/** Prompts down, one column per snapshot generation across: collapse reads along each row. */
export function continuationsHtml(run: RunData): string | undefined {
  const columns = snapshotContinuations(run);
  if (columns.length === 0) return undefined;
  const prompts = Math.max(...columns.map((c) => c.items.length));
  const rows = Array.from({ length: prompts }, (_, i) => [
    (columns.find((c) => c.items[i])?.items[i].prompt ?? '').trim(),
    ...columns.map((c) => (c.items[i]?.continuation ?? '–').trim()),
  ]);
  const decoding = (run.config.family.decoding as { type?: string } | undefined)?.type ?? 'sample';
  const note = `Each row is one real block used as a fixed prompt; each column the ${decoding === 'beam' ? 'beam-search' : decoding === 'greedy' ? 'greedy' : 'sampled'} continuation by that generation’s model. Line breaks are the corpus’s line ends.`;
  return `<p>${escapeHtml(note)}</p>\n<div class="wide">${table(
    ['prompt', ...columns.map((c) => `generation ${c.generation}`)],
    rows,
    'text',
  )}</div>`;
}

export function lmSections(run: RunData): Section[] {
  const html = continuationsHtml(run);
  return html ? [{ title: 'Continuations of fixed prompts', html }] : [];
}

// ---- comparison figures ----------------------------------------------------------------------------------

/**
 * Each configuration's final-generation histogram (mean over seeds) over generation 0's, coloured as the
 * configuration's lines in the other panels.
 */
function finalHistograms(groups: readonly RunGroup[]): { histograms: Shares[]; colors: string[] } {
  const zero = sharesOf(groups[0]?.runs[0]?.metrics[0], 'generation 0');
  const histograms = zero ? [zero] : [];
  const colors = zero ? [REFERENCE] : [];
  groups.forEach((g, i) => {
    const lasts = g.runs.map((r) => r.metrics[r.metrics.length - 1]);
    const generation = Math.max(...lasts.map((m) => (m?.generation as number) ?? 0));
    const all = lasts.map((m) => sharesOf(m, '')).filter((h): h is Shares => h !== undefined);
    const mean = meanShares(all, `${g.label}, generation ${generation}`);
    if (!mean) return;
    histograms.push(mean);
    colors.push(TABLEAU[i % TABLEAU.length]);
  });
  return { histograms, colors };
}

const COMPARE_PANELS = [
  { metric: 'testPerplexity', title: 'test perplexity (real text)', axis: 'perplexity' },
  { metric: 'testPerplexityPerWord', title: 'test perplexity per word', axis: 'perplexity' },
  { metric: 'syntheticPerplexityP50', title: 'per-block perplexity, median', axis: 'perplexity', log: true },
  { metric: 'syntheticPerplexityP95', title: 'per-block perplexity, 95th percentile', axis: 'perplexity', log: true },
  { metric: 'rareTypesProduced', title: 'real data’s rare types still produced', axis: 'share' },
  { metric: 'distinct3', title: 'distinct-3', axis: 'distinct share' },
];

/** One figure with everything, first: the reproduce report shows a family's first comparison figure alone. */
export function compareLmFigure(groups: readonly RunGroup[]): Figure | undefined {
  const curves = COMPARE_PANELS.map((p) => ({ p, rows: groups.flatMap((g): CurveRow[] => aggregate(g, p.metric)) }))
    .filter(({ rows }) => rows.length > 0)
    .map(({ p, rows }) => curvePanel({ title: p.title, yTitle: p.axis, rows, yScale: p.log ? 'log' : 'linear' }));
  const { histograms, colors } = finalHistograms(groups);
  const withHistogram = histograms.length > 1 && groups.length <= HISTOGRAMS_UP_TO;
  const panels = [...curves];
  // The histogram goes after the perplexity curves, so each row of the grid reads as one story.
  if (withHistogram)
    panels.splice(
      3,
      0,
      histogramPanel('per-block perplexity, last generation', histograms, {
        width: 300,
        colors,
        legendColumns: 1,
        xTitle: 'perplexity under the first model',
      }),
    );
  if (panels.length === 0) return undefined;
  return {
    id: 'lm-compare',
    title: 'The language model trained on its own text, compared',
    caption: `One line per configuration (mean over seeds, geometric for perplexities; band: its 95% interval where there are several). Per-block perplexity is each synthetic block scored by the generation-0 model (the first model, fitted to real data)${
      withHistogram
        ? '; the histogram sets each configuration’s last generation against generation 0.'
        : `; with more than ${HISTOGRAMS_UP_TO} configurations its histograms are left to each run’s report.`
    }`,
    spec: grid(panels, 3),
  };
}

export const lmFigures = {
  run: (run: RunData): Figure[] =>
    [testPerplexityFigure(run), syntheticPerplexityFigure(run), vocabularyFigure(run)].filter((f): f is Figure => !!f),
  compare: (groups: readonly RunGroup[]): Figure[] => [compareLmFigure(groups)].filter((f): f is Figure => !!f),
  sections: lmSections,
};
