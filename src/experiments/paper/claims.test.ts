/** The claims table passes honest runs and fails a deliberately broken one. */
import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../core/family.js';
import type { RunData } from '../../core/run-store.js';
import { groupRuns } from '../../plots/groups.js';
import { resolveConfig, runExperiment } from '../run.js';
import { diceClaims, gaussianClaims } from './claims.js';

/** In-memory runs as the report reads them, with `edit` applied to every metrics line. */
async function runsOf(
  policy: string,
  seeds: number,
  edit: (m: Metrics) => Metrics = (m) => m,
  preset = 'gaussian',
): Promise<RunData[]> {
  const out: RunData[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const config = resolveConfig(preset, { generations: 200, heldOutSize: 10, seed, policy: { type: policy } });
    const { metrics } = await runExperiment(config, { out: null });
    out.push({
      dir: `memory-${policy}-${seed}`,
      config: config as unknown as RunData['config'],
      metrics: metrics.map(edit),
      summary: undefined,
      progress: undefined,
      snapshotGenerations: [],
      snapshot: () => undefined,
    });
  }
  return out;
}

const drift = gaussianClaims.find((c) => c.claim.startsWith('log σ² drifts')) as (typeof gaussianClaims)[number];

describe('the claims table', () => {
  it('passes the closed-form drift on honest runs and fails a variance estimator inflated by 1.1', async () => {
    const honest = groupRuns([...(await runsOf('replace', 6)), ...(await runsOf('accumulate', 1))]);
    expect(drift.measure(honest).pass).toBe(true);
    // Broken: every refit's variance 10% too large, compounding (the estimator × 1.1).
    const broken = groupRuns([
      ...(await runsOf('replace', 6, (m) => ({
        ...m,
        variance: (m.variance as number) * 1.1 ** (m.generation as number),
      }))),
      ...(await runsOf('accumulate', 1)),
    ]);
    const result = drift.measure(broken);
    expect(result.pass).toBe(false);
    expect(result.measured).toMatch(/z = \d/);
  });

  it('passes the exact expected support size on honest dice and fails dice that lose outcomes too slowly', async () => {
    const support = diceClaims.find((c) =>
      c.claim.startsWith('E[outcomes still present]'),
    ) as (typeof diceClaims)[number];
    const honest = groupRuns(await runsOf('replace', 30, undefined, 'dice'));
    expect(support.measure(honest).pass).toBe(true);
    // Broken: an outcome lost is counted as present for another 40 generations.
    const lagged = (runs: RunData[]) =>
      runs.map((r) => ({
        ...r,
        metrics: r.metrics.map((m, g) => ({ ...m, supportSize: r.metrics[Math.max(0, g - 40)].supportSize })),
      }));
    const result = support.measure(groupRuns(lagged(await runsOf('replace', 30, undefined, 'dice'))));
    expect(result.pass).toBe(false);
    expect(result.measured).toMatch(/z = \d/);
  });
});
