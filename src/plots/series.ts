/** A run's metrics as series and labels for figures (the run itself is read by core/run-store.ts). */
import type { Metrics } from '../core/family.js';
import type { RunConfig } from '../core/run-store.js';

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
