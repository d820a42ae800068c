/**
 * What reports read from a run folder: the config, the metrics lines, the summary and the samples/ snapshots.
 * Read-only, and tolerant of an unfinished run (a report of a run killed half-way still shows what exists).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Metrics } from '../core/family.js';
import { FILES, RunFolder } from '../core/run-folder.js';

/** The fields of config.json reports use; everything else is shown as-is. */
export interface RunConfig {
  readonly name: string;
  readonly seed: number;
  readonly generations: number;
  readonly samplesPerGeneration: number;
  readonly realSize?: number;
  readonly family: { readonly type: string } & Record<string, unknown>;
  readonly policy: { readonly type: string; readonly realFraction?: number };
  readonly real: { readonly type: string } & Record<string, unknown>;
  readonly snapshotGenerations?: readonly number[];
  readonly [key: string]: unknown;
}

/** A samples/generation-N.json file: the fitted model as JSON and up to a few thousand samples. */
export interface Snapshot {
  readonly generation: number;
  readonly model: Record<string, unknown>;
  readonly samples: { readonly kind: string; readonly rows?: number[][]; readonly values?: number[] };
}

export interface RunData {
  readonly dir: string;
  readonly config: RunConfig;
  readonly metrics: readonly Metrics[];
  readonly summary: Record<string, unknown> | undefined;
  /** Generations that have a snapshot in samples/, ascending. */
  readonly snapshotGenerations: readonly number[];
  snapshot(generation: number): Snapshot | undefined;
}

export function readRun(dir: string): RunData {
  const folder = RunFolder.open(dir);
  const samplesDir = folder.path(FILES.samples);
  const snapshotGenerations = fs.existsSync(samplesDir)
    ? fs
        .readdirSync(samplesDir)
        .map((f) => /^generation-(\d+)\.json$/.exec(f)?.[1])
        .filter((g): g is string => g !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
    : [];
  return {
    dir,
    config: folder.readConfig() as RunConfig,
    metrics: folder.readMetrics(),
    summary: folder.readSummary() as Record<string, unknown> | undefined,
    snapshotGenerations,
    snapshot(generation) {
      const file = path.join(samplesDir, `generation-${generation}.json`);
      return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot) : undefined;
    },
  };
}

/** Names of the metrics that are numbers (or null) in at least one line, in first-seen order; arrays excluded. */
export function numericMetricNames(metrics: readonly Metrics[]): string[] {
  const names = new Set<string>();
  for (const line of metrics)
    for (const [key, value] of Object.entries(line))
      if (key !== 'generation' && typeof value === 'number') names.add(key);
  return [...names];
}

/** A metric's value per generation (null where missing or undefined). */
export function series(metrics: readonly Metrics[], name: string): { generation: number; value: number | null }[] {
  return metrics.map((m) => ({
    generation: m.generation as number,
    value: typeof m[name] === 'number' ? (m[name] as number) : null,
  }));
}

/** A short human label for a run's policy: "replace", "mix 10% real", "accumulate". */
export function policyLabel(config: RunConfig): string {
  const p = config.policy;
  if (p.type === 'mix') return `mix ${Math.round((p.realFraction ?? 0.1) * 100)}% real`;
  return p.type;
}
