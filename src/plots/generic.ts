/**
 * The figures every run gets, whatever its family: one curve per numeric metric over generations. A family
 * without figures of its own (a new one still landing) is fully shown by these.
 */

import type { RunData } from '../core/run-store.js';
import { curvePanel, grid } from './charts.js';
import { aggregate, type RunGroup } from './groups.js';
import type { Figure } from './plot.js';
import { numericMetricNames, series } from './series.js';

/** A metric's collapse tag ("diversity loss, tail loss"), or '' for none: shown under its panel's title. */
export type MetricTag = (metric: string) => string;

/** One panel per metric that changes over the run; constant ones are named in the caption instead. */
export function metricCurves(run: RunData, tag: MetricTag = () => ''): Figure {
  const names = numericMetricNames(run.metrics);
  const constant: string[] = [];
  const panels = [];
  for (const name of names) {
    const rows = series(run.metrics, name).map((r) => ({ ...r, series: name }));
    const distinct = new Set(rows.map((r) => r.value));
    if (distinct.size <= 1) {
      constant.push(`${name} = ${format(rows[0]?.value ?? null)}`);
      continue;
    }
    panels.push(
      curvePanel({
        title: name,
        subtitle: tag(name) || undefined,
        yTitle: null,
        rows,
        width: 260,
        height: 150,
        yScale: axisFor(name),
      }),
    );
  }
  return {
    id: 'metrics',
    title: 'Metrics over generations',
    caption: `Every numeric metric in metrics.jsonl, one panel each.${
      constant.length > 0 ? ` Constant over the run: ${constant.join(', ')}.` : ''
    }`,
    spec: panels.length > 0 ? grid(panels, 3) : emptySpec('no metric changes over this run'),
  };
}

/** Every numeric metric the groups share, overlaid: one line per group, a band where a group has seeds. */
export function compareMetricCurves(groups: readonly RunGroup[], tag: MetricTag = () => ''): Figure {
  const shared = numericMetricNames(groups[0].runs[0].metrics).filter((name) =>
    groups.every((g) => g.runs.some((r) => r.metrics.some((m) => typeof m[name] === 'number'))),
  );
  const panels = shared.map((name) =>
    curvePanel({
      title: name,
      subtitle: tag(name) || undefined,
      yTitle: null,
      rows: groups.flatMap((g) => aggregate(g, name)),
      width: 260,
      height: 150,
      yScale: axisFor(name),
    }),
  );
  return {
    id: 'compare-metrics',
    title: 'Metrics over generations, overlaid',
    caption:
      'One line per configuration; with several seeds the line is their mean (geometric for variances, perplexities and distances) and the band its 95% interval.',
    spec: panels.length > 0 ? grid(panels, 3) : emptySpec('the runs share no numeric metric'),
  };
}

/**
 * Log-likelihoods fall by orders of magnitude as a model collapses (−1.4 to −10⁸ for a Gaussian), and are
 * negative: a symlog axis shows both ends.
 */
export function axisFor(metric: string): 'symlog' | undefined {
  return /loglikelihood/i.test(metric) ? 'symlog' : undefined;
}

export function emptySpec(text: string) {
  return {
    width: 300,
    height: 40,
    mark: { type: 'text', fontSize: 12 },
    data: { values: [{ text }] },
    encoding: { text: { field: 'text' } },
  };
}

export function format(v: number | null): string {
  if (v === null) return '–';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toPrecision(4);
}
