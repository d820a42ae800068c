/** The claims table passes honest runs and fails a deliberately broken one. */
import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../core/family.js';
import type { RunData } from '../../core/run-store.js';
import { groupRuns } from '../../plots/groups.js';
import { resolveConfig, runExperiment } from '../run.js';
import { diceClaims, gaussianClaims, gmmNotebookClaims, vaeClaims, zipfTailRankClaims } from './claims.js';

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
    // W₂² against the law of its seed mean: honest runs pass, a fit whose distance is tripled fails.
    const w2 = gaussianClaims.find((c) => c.claim.startsWith('E W₂²')) as (typeof gaussianClaims)[number];
    const honestW2 = w2.measure(honest);
    expect(honestW2.pass).toBe(true);
    const far = groupRuns([
      ...(await runsOf('replace', 6, (m) => ({ ...m, w2: (m.w2 as number) * 3 }))),
      ...(await runsOf('accumulate', 1)),
    ]);
    expect(w2.measure(far).pass).toBe(false);
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

  it('passes a VAE whose samples lose variety and fails one whose variety holds; the notebook row needs 6 generations', () => {
    // In-memory VAE runs (training one takes minutes): only the lines the rows read.
    const vae = (latent: number[], pixels: number[], preset = 'vae-quick') =>
      groupRuns([
        {
          dir: `memory-vae-${preset}-${latent.join('-')}`,
          config: { ...resolveConfig(preset, { policy: { type: 'replace' } }), preset } as unknown as RunData['config'],
          metrics: latent.map((l, g) => ({
            generation: g,
            latentStd: l,
            latentStd100: l,
            meanPairwiseDistance: pixels[g],
          })),
          summary: undefined,
          progress: undefined,
          snapshotGenerations: [],
          snapshot: () => undefined,
        },
      ]);
    const [variety, notebook] = vaeClaims;
    const falling = vae([0.9, 0.7, 0.6, 0.55, 0.5, 0.45, 0.44], [10, 9, 8.5, 8, 7.8, 7.5, 7.4]);
    expect(variety.measure(falling).pass).toBe(true);
    expect(notebook.measure(falling).pass).toBe(true);
    // Broken: the pixel variety does not fall (a decoder that adds noise would look like this).
    expect(variety.measure(vae([0.9, 0.7, 0.6, 0.55, 0.5, 0.45, 0.44], [10, 10, 10.5, 11, 11, 11, 11])).pass).toBe(
      false,
    );
    // Rising latent std fails both rows.
    const rising = vae([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8], [10, 9, 8, 7, 6, 5, 4]);
    expect(variety.measure(rising).pass).toBe(false);
    expect(notebook.measure(rising).pass).toBe(false);
    // At the notebook's settings its ratio (0.443/0.688 = 0.644) must match within 0.1: ×0.64 passes, ×0.9 fails.
    expect(notebook.measure(vae([1, 0.688, 0.6, 0.53, 0.48, 0.443], [9, 8, 7, 6, 5, 4], 'vae-paper')).pass).toBe(true);
    expect(notebook.measure(vae([1, 0.7, 0.68, 0.66, 0.65, 0.63], [9, 8, 7, 6, 5, 4], 'vae-paper')).pass).toBe(false);
    // Too short a run is a failing row that says why, not a hidden one.
    const short = notebook.measure(vae([0.9, 0.7, 0.6], [10, 9, 8]));
    expect(short).toEqual({ measured: 'not measured: the run has 3 generations', pass: false });
  });

  it('passes a GMM whose total variance shrinks and fails one whose variance holds', () => {
    const gmm = (ratio: number) =>
      groupRuns([
        {
          dir: `memory-gmm-${ratio}`,
          config: resolveConfig('gmm', { policy: { type: 'replace' } }) as unknown as RunData['config'],
          metrics: [0, 1, 2].map((g) => ({ generation: g, totalVariance: 2 * ratio ** (g / 2) })),
          summary: undefined,
          progress: undefined,
          snapshotGenerations: [],
          snapshot: () => undefined,
        },
      ]);
    const [notebook] = gmmNotebookClaims;
    expect(notebook.measure(gmm(0.34))).toEqual({ measured: '34% (seeds: 34%)', pass: true });
    expect(notebook.measure(gmm(1.05)).pass).toBe(false); // broken: EM that inflates its covariances
  });

  it('passes the tail rank of an honest Zipf run and fails one that keeps every outcome (k* never falls)', async () => {
    const config = resolveConfig('categorical', {
      generations: 30,
      samplesPerGeneration: 500,
      heldOutSize: 10,
      real: { type: 'zipf', outcomes: 200, exponent: 1.1 },
      family: { reportProbabilitiesUpTo: 200 },
    });
    const { metrics } = await runExperiment(config, { out: null });
    // The run's own fits as its snapshots (an in-memory run keeps none on disk).
    const zipfRun = (probabilities: (g: number) => number[]): RunData => ({
      dir: 'memory-zipf',
      config: config as unknown as RunData['config'],
      metrics,
      summary: undefined,
      progress: undefined,
      snapshotGenerations: [0, 29],
      snapshot: (g) => ({ generation: g, model: { probabilities: probabilities(g) }, samples: { kind: 'categories' } }),
    });
    const [row] = zipfTailRankClaims;
    const honest = row.measure(groupRuns([zipfRun((g) => metrics[g].probabilities as number[])]));
    expect(honest.pass).toBe(true);
    expect(honest.measured).toMatch(/^rank \d+ at generation 29 \(theory k\* \d+, zone \d+–\d+/);
    // Broken: a smoothed fit that never loses an outcome.
    const smoothed = row.measure(groupRuns([zipfRun(() => Array(200).fill(1 / 200))]));
    expect(smoothed.pass).toBe(false);
  });
});
