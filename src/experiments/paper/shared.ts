/**
 * What the paper experiments share: the policies most of them contrast, and the numbers their sentences and
 * tables read off grouped runs (a metric at the end, its ratio to generation 0, a row per group).
 */
import type { RunGroup } from '../../plots/groups.js';
import type { ExperimentConfig } from '../config.js';
import { fmt } from '../format.js';
import type { MitigationConfig } from '../mitigations.js';
import { resolveConfig, seedConfigs } from '../run.js';
import type { Findings } from './experiment.js';

/** replace (with `seeds` seeds), mix 10% real, and accumulate: the three policies the papers contrast. */
export function replaceMixAccumulate(
  preset: string,
  overrides: Record<string, unknown>,
  { seeds = 1, accumulate = 'accumulate' }: { seeds?: number; accumulate?: 'accumulate' | 'accumulate-subsample' } = {},
): ExperimentConfig[] {
  const config = (policy: Record<string, unknown>) => resolveConfig(preset, { ...overrides, policy });
  return [
    ...seedConfigs(config({ type: 'replace' }), seeds),
    config({ type: 'mix', realFraction: 0.1 }),
    config({ type: accumulate }),
  ];
}

// ---- numbers from groups -------------------------------------------------------------------------------

export const last = <T>(xs: readonly T[]) => xs[xs.length - 1];
/** A metric's value as a number; a missing or non-numeric one is NaN, which fmt prints as '–'. */
export const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A metric at the last generation, one value per seed. */
export const finals = (g: RunGroup, metric: string) => g.runs.map((r) => num(last(r.metrics)?.[metric]));
/** A metric at the last generation of the group's first run (the comparisons run one seed). */
export const final = (g: RunGroup, metric: string) => finals(g, metric)[0];
/** A metric's last value over its first, one value per seed. */
export const ratios = (g: RunGroup, metric: string) =>
  g.runs.map((r) => num(last(r.metrics)?.[metric]) / num(r.metrics[0]?.[metric]));
export const lastGeneration = (g: RunGroup) => num(last(g.runs[0].metrics)?.generation);

/** A row per group: each metric's mean at generation 0 and at the end. */
export function firstAndFinalTable(
  groups: readonly RunGroup[],
  metrics: readonly [string, string][],
): Findings['table'] {
  return {
    headers: ['configuration', ...metrics.flatMap(([, label]) => [`${label} (gen 0)`, `${label} (final)`])],
    rows: groups.map((g) => [
      g.label,
      ...metrics.flatMap(([m]) => [fmt(mean(g.runs.map((r) => num(r.metrics[0]?.[m])))), fmt(mean(finals(g, m)))]),
    ]),
  };
}

/** A row per group: each metric at the last generation. */
export function finalTable(groups: readonly RunGroup[], metrics: readonly [string, string][]): Findings['table'] {
  return {
    headers: ['policy', ...metrics.map(([, header]) => header)],
    rows: groups.map((g) => [g.label, ...metrics.map(([m]) => fmt(final(g, m)))]),
  };
}

export function byPolicy(groups: readonly RunGroup[], type: string): RunGroup {
  const found = groups.find((g) => g.runs[0].config.policy.type === type);
  if (!found) throw new Error(`no '${type}' runs among ${groups.map((g) => g.label).join(', ')}`);
  return found;
}

export function byLabel(groups: readonly RunGroup[], label: string): RunGroup {
  const found = groups.find((g) => g.label === label);
  if (!found) throw new Error(`no '${label}' runs among ${groups.map((g) => g.label).join(', ')}`);
  return found;
}

/** Groups renamed by their comparison label (the config names carry it), in the comparison's order. */
export function labelled(groups: readonly RunGroup[], set: readonly MitigationConfig[]): RunGroup[] {
  const byName = new Map(set.map((m) => [m.config.name, m.label]));
  return set.flatMap(({ label }) => {
    const group = groups.find((g) => byName.get(g.runs[0].config.name) === label);
    return group ? [{ ...group, label }] : [];
  });
}
