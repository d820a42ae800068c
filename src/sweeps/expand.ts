/**
 * A sweep spec → its trials: every grid combination (minus excludes, plus includes) times every seed, each a
 * validated config named by a stable hash of itself. The hash ignores only the package version, so re-running
 * a sweep finds its trials again, and a trial is the same wherever it runs (a trial id is a BullMQ job id, which
 * may not contain ':').
 */
import crypto from 'node:crypto';
import { UsageError } from '../core/errors.js';
import type { ExperimentConfig } from '../experiments/config.js';
import { resolveConfig } from '../experiments/run.js';
import type { SweepSpec } from './spec.js';

export interface Trial {
  /** `<sweep name>-<12 hex digits>`: the trial folder's name and its job id. */
  readonly id: string;
  /** The grid values of this trial, by dotted path (its cell in the grid). */
  readonly point: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly config: ExperimentConfig;
}

/** Sets `value` at a dotted path of a nested plain object (creating the objects on the way). */
function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    at = at[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...next } : {};
  }
  at[keys[keys.length - 1]] = value;
}

/** JSON with object keys sorted, so equal configs hash equally whatever order their fields came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export function configHash(config: ExperimentConfig): string {
  const { version: _version, ...hashed } = config;
  return crypto.createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

/** Every combination of the grid's values, in the grid's field order (the last field varies fastest). */
function combinations(grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [field, values] of Object.entries(grid))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [field]: v })));
  return points;
}

const matches = (point: Record<string, unknown>, entry: Record<string, unknown>) =>
  Object.entries(entry).every(([field, value]) => canonicalJson(point[field]) === canonicalJson(value));

/** The sweep's trials, validated; a bad grid throws a UsageError naming the field and the point. */
export function expandSweep(spec: SweepSpec): Trial[] {
  for (const entry of spec.exclude)
    for (const field of Object.keys(entry))
      if (!(field in spec.grid))
        throw new UsageError(`exclude: field '${field}' is not in the grid (${Object.keys(spec.grid).join(', ')})`);
  const points = [...combinations(spec.grid).filter((p) => !spec.exclude.some((e) => matches(p, e))), ...spec.include];
  const baseSeed = typeof spec.config.seed === 'number' ? spec.config.seed : 1;
  const seeds = Array.isArray(spec.seeds) ? spec.seeds : Array.from({ length: spec.seeds }, (_, i) => baseSeed + i);
  const count = points.length * seeds.length;
  if (count > spec.maxTrials)
    throw new UsageError(
      `grid: ${points.length} points × ${seeds.length} seeds = ${count} trials, over maxTrials ${spec.maxTrials}; shrink the grid or raise maxTrials`,
    );
  const trials: Trial[] = [];
  const seen = new Set<string>();
  for (const point of points) {
    const overrides: Record<string, unknown> = structuredClone(spec.config);
    // `preset` may be a grid axis too: the same question asked of several experiments.
    const { preset = spec.preset, ...fields } = point as { preset?: string };
    for (const [field, value] of Object.entries(fields)) setPath(overrides, field, value);
    for (const seed of seeds) {
      let config: ExperimentConfig;
      try {
        config = resolveConfig(preset, { ...overrides, seed, name: spec.name });
      } catch (error) {
        if (error instanceof UsageError)
          throw new UsageError(`grid point ${canonicalJson(point)} (seed ${seed}): ${error.message}`);
        throw error;
      }
      const id = `${spec.name}-${configHash(config).slice(0, 12)}`;
      if (seen.has(id)) continue; // an include that repeats a grid point
      seen.add(id);
      trials.push({ id, point, seed, config });
    }
  }
  return trials;
}
