import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../core/family.js';
import { Rng } from '../../core/rng.js';
import type { RunData } from '../../core/run-store.js';
import type { RunGroup } from '../../plots/groups.js';
import type { ExperimentConfig } from '../config.js';
import { remedyConfigs } from '../remedies/settings.js';
import type { StrongCollapseCell } from '../remedies/strong-collapse.js';
import { analyseThreshold, thresholdSettings } from '../remedies/threshold.js';
import { remediesExperiment } from './remedies.js';
import { strongCollapseExperiment } from './strong-collapse.js';

const run = (config: ExperimentConfig, metrics: Metrics[]): RunData => ({
  dir: '',
  config,
  metrics,
  summary: undefined,
  progress: undefined,
  snapshotGenerations: [],
  snapshot: () => undefined,
});

/** The quick remedies runs with made-up series: `error(label, seed, g)` for both error metrics and diversities. */
function groups(error: (label: string, seed: number, g: number) => number): RunGroup[] {
  const runs = remedyConfigs(true).map((c) =>
    run(
      c,
      Array.from({ length: c.generations }, (_, g) => {
        const e = error(String(c.label), c.seed, g);
        return {
          generation: g,
          w2: e,
          totalVariation: e,
          variance: 1,
          giniSimpson: 0.9,
          realFraction: 0.1,
          trainSize: 100,
        };
      }),
    ),
  );
  return [{ label: 'all', runs }];
}

const claim = (text: string) => remediesExperiment.claims?.find((c) => c.claim.includes(text));

describe('remedies claims, computed from the runs', () => {
  // Seeds differ by a few percent, so the intervals are narrow but not empty.
  const jitter = (seed: number) => 1 + 0.02 * Math.sin(seed * 7.1);
  const loops = (label: string, seed: number, g: number) => {
    if (label.startsWith('replace')) return 0.1 * Math.exp(g / 30) * jitter(seed);
    if (label.includes('fixed')) return (0.1 + 0.2 * (1 - Math.exp(-g / 10))) * jitter(seed);
    return 0.1 * jitter(seed);
  };

  it('fresh vs fixed passes when replace > fixed > fresh at the end, fixed rose and fresh stayed flat', () => {
    const fresh = claim('fixed real set');
    expect(fresh?.measure(groups(loops)).pass).toBe(true);
    expect(fresh?.measure(groups(loops)).measured).toMatch(/fixed 0\.30\d .*\(×2\.\d+ since generation 1/);
  });

  it('fresh vs fixed fails when the fresh loop ends worse than the fixed one', () => {
    const swapped = (label: string, seed: number, g: number) =>
      loops(label.includes('fixed') ? 'fresh' : label.includes('fresh') ? 'fixed' : label, seed, g);
    expect(claim('fixed real set')?.measure(groups(swapped)).pass).toBe(false);
  });

  it('weak labels pass when every β > 0 falls, faster with β, and β = 0 does not', () => {
    const beta = (label: string) => Number(label.split('β ')[1] ?? Number.NaN);
    const weak = (label: string, seed: number, g: number) =>
      label.startsWith('weak labels')
        ? beta(label) === 0
          ? 0.2 * (1 + g / 100) * jitter(seed)
          : 0.2 * Math.exp(-beta(label) * g) * jitter(seed)
        : loops(label, seed, g);
    const measured = claim('weak labeller')?.measure(groups(weak));
    expect(measured?.pass).toBe(true);
    // Halving: first g with e^(−βg) ≤ ½, i.e. ⌈ln 2/β⌉ = 14, 7 and 4.
    expect(measured?.measured).toMatch(/β 0.05: .*halved by 14; β 0.1: .*halved by 7; β 0.2: .*halved by 4/);
    const slowerWithBeta = (label: string, seed: number, g: number) =>
      label.startsWith('weak labels') && beta(label) > 0
        ? 0.2 * Math.exp(-(0.25 - beta(label)) * g) * jitter(seed)
        : weak(label, seed, g);
    expect(claim('weak labeller')?.measure(groups(slowerWithBeta)).pass).toBe(false);
  });
});

describe('the mix threshold analysis', () => {
  it('finds the threshold, the stationary level and the rate 1 − ρ of series with known ρ', () => {
    const family = thresholdSettings(true)[0];
    const M = family.samples;
    const rng = new Rng(3);
    const runs = family.fractions.map((fraction) => {
      const k = Math.round(fraction * M);
      return Array.from({ length: family.seeds }, () => {
        // k = 0: the variance halves every 20 generations; else an AR(1) mean with ρ = 1 − k/M around 0.
        let mean = 0;
        return Array.from({ length: family.generations }, (_, g) => {
          mean = (1 - k / M) * mean + 0.1 * rng.normal();
          return { variance: k === 0 ? 0.5 ** (g / 20) : 0.9 * (1 + 0.05 * rng.normal()), mean };
        });
      });
    });
    const a = analyseThreshold(family, runs);
    expect(a.unboundedUpTo).toBe(0.004);
    expect(a.boundedFrom).toBe(0.006);
    expect(a.theoryThreshold).toBe(0.005);
    for (const r of a.rows.filter((x) => x.realItems > 0)) {
      expect(Math.abs(r.rate - r.rateTheory)).toBeLessThan(4 * r.rateSe + 0.01);
      expect(r.stationary).toBeCloseTo(0.9, 1);
    }
    expect(Math.abs((a.fit?.b ?? 0) - 1)).toBeLessThan(0.1);
  });
});

describe('the strong-collapse claim', () => {
  const cells = (onePercentAtLargest: number): StrongCollapseCell[] =>
    (['gaussian', 'categorical'] as const).flatMap((family) =>
      [0, 0.001, 0.01].flatMap((fraction) =>
        [100, 1000, 10_000, 100_000].map((size) => {
          const clean = 1 / size;
          const error2 = fraction === 0.01 && size === 100_000 ? onePercentAtLargest : clean + (fraction * 2) ** 2;
          return { family, fraction, size, error2, se: error2 / 10, theory: error2 };
        }),
      ),
    );

  it('passes on a floor and fails when the 1% error keeps falling 10× like a clean one', () => {
    const gaussian = strongCollapseExperiment.claims?.[0];
    // A floor: at 100× the error is 1e-5 + 4e-4; at 1000× it stays there.
    expect(gaussian?.measure([], cells(1e-5 / 10 + 4e-4)).pass).toBe(true);
    expect(gaussian?.measure([], cells((1e-5 + 4e-4) / 10)).pass).toBe(false);
  });
});
