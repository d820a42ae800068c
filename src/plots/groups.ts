/**
 * Several runs in one picture: runs whose configs differ only in the seed form a group (drawn as a mean with
 * a band), and groups are labelled by what sets them apart ("replace" vs "mix 10% real").
 */

import type { RunConfig, RunData } from '../core/run-store.js';
import { summarise } from '../metrics/seed-summary.js';
import type { CurveRow } from './charts.js';
import { policyLabel, series } from './series.js';

export interface RunGroup {
  readonly label: string;
  readonly runs: readonly RunData[];
}

/** Config fields that do not change what is being measured. */
const IGNORED = new Set([
  'seed',
  'label',
  'name',
  'version',
  'preset',
  'snapshotGenerations',
  'snapshotSize',
  'checkpointSeconds',
]);

/** What a run measures: its config without seed, names and bookkeeping (runs equal here differ only by seed). */
export function configIdentity(config: RunConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !IGNORED.has(k)));
}

export function groupRuns(runs: readonly RunData[]): RunGroup[] {
  const byKey = new Map<string, RunData[]>();
  for (const run of runs) {
    const key = JSON.stringify(configIdentity(run.config));
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(run);
  }
  const groups = [...byKey.values()];
  const configs = groups.map((g) => configIdentity(g[0].config));
  const differing = Object.keys(configs[0] ?? {}).filter(
    (k) => new Set(configs.map((c) => JSON.stringify(c[k]))).size > 1,
  );
  const labels = groups.map((g) => describe(g[0].config, differing));
  // Two groups with the same visible label (the same policy with other options, say) are told apart by their
  // run names when those differ, else numbered.
  return groups.map((runs, i) => {
    const own = runs[0].config.label;
    if (typeof own === 'string') return { label: runs.length > 1 ? `${own} (${runs.length} seeds)` : own, runs };
    const clashing = groups.filter((_, j) => labels[j] === labels[i]);
    const names = new Set(clashing.map((g) => g[0].config.name));
    const base =
      clashing.length === 1
        ? labels[i]
        : names.size === clashing.length
          ? runs[0].config.name
          : `${labels[i]} #${i + 1}`;
    return { label: runs.length > 1 ? `${base} (${runs.length} seeds)` : base, runs };
  });
}

function describe(config: RunConfig, differing: readonly string[]): string {
  if (differing.length === 0) return `${config.name}: ${policyLabel(config)}`;
  return differing
    .map((k) => {
      if (k === 'policy') return policyLabel(config);
      if (k === 'family' || k === 'real') return `${k} ${(config[k] as { type: string }).type}`;
      if (k === 'samplesPerGeneration') return `M=${config.samplesPerGeneration}`;
      return `${k}=${JSON.stringify(config[k])}`;
    })
    .join(', ');
}

/**
 * A metric across a group's seeds, per generation: the mean (geometric for scale-like metrics: variances,
 * perplexities, distances) and, with two or more seeds, its 95% interval (Student's t, on the log scale for
 * scale-like metrics, so the band stays positive on log axes). A metric that is never negative keeps its band
 * at or above 0. Generations some seeds lack (an unfinished run) use the seeds that have them.
 */
export function aggregate(group: RunGroup, metric: string, label = group.label): CurveRow[] {
  const values = new Map<number, number[]>();
  for (const run of group.runs) {
    for (const { generation, value } of series(run.metrics, metric)) {
      if (value === null || !Number.isFinite(value)) continue;
      let list = values.get(generation);
      if (!list) values.set(generation, (list = []));
      list.push(value);
    }
  }
  const seeds = group.runs.length;
  return [...values.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([generation, xs]) => {
      const s = summarise(metric, xs);
      if (seeds < 2) return { generation, value: s.mean, series: label };
      const floor = xs.every((x) => x >= 0) ? 0 : Number.NEGATIVE_INFINITY;
      return { generation, value: s.mean, series: label, lo: Math.max(floor, s.lo), hi: s.hi };
    });
}
