/**
 * The closed forms against the lab's own runs (fixed seeds, within 3.5 standard errors), and the collapse-rate
 * estimator against known rates: synthetic data, the unbiased Gaussian (half-life 68.4 at M = 100) and the
 * categorical (69.0).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { resolveConfig, runExperiment } from '../experiments/run.js';
import {
  expectedGiniSimpson,
  expectedSupport,
  giniSimpson,
  meanTimeToFixation,
  survivalProbabilities,
} from './categorical.js';
import { collapseRate } from './collapse-rate.js';
import {
  accumulateW2SquaredBound,
  accumulateW2SquaredFirstOrder,
  effectiveSampleSize,
  expectedW2Squared,
  logVarianceCheck,
  logVarianceStep,
  meanSquareDrift,
  meanStepCheck,
  w2SquaredDraws,
  w2SquaredFirstOrder,
  w2SquaredMeanInterval,
} from './gaussian.js';

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const standardError = (xs: readonly number[]) => {
  const m = meanOf(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
};

/** Metrics of `seeds` in-memory runs of a preset. */
async function runs(preset: string, overrides: Record<string, unknown>, seeds: number) {
  const out = [];
  for (let seed = 1; seed <= seeds; seed++)
    out.push(
      (await runExperiment(resolveConfig(preset, { heldOutSize: 1, ...overrides, seed }), { out: null })).metrics,
    );
  return out;
}

describe('Gaussian closed forms', () => {
  it('the log-variance step of the MLE at M = 100 drifts by ψ(49.5) + ln(2/100) = −0.020185 (the issue’s figure)', () => {
    expect(logVarianceStep(100, 'mle').mean).toBeCloseTo(-0.020185, 6);
    expect(logVarianceStep(100, 'unbiased').mean).toBeCloseTo(-0.010135, 6);
    // M_eff inverts the drift.
    expect(effectiveSampleSize(logVarianceStep(100, 'mle').mean)).toBeCloseTo(100, 6);
    expect(effectiveSampleSize(logVarianceStep(37, 'mle').mean)).toBeCloseTo(37, 6);
  });

  // M = 5: the MLE's shrinkage (4/5 a refit) moves the sum by 20% from the unbiased (n + 1)/M, which 1,500 runs see.
  for (const estimator of ['mle', 'unbiased'] as const) {
    it(`E(μₙ − μ)² = Σ E[σ̂²ᵢ₋₁]/M under replace (${estimator}, M = 5, n = 9), within 3.5 SE of 1,500 runs`, async () => {
      const M = 5;
      const metrics = await runs('gaussian', { generations: 10, samplesPerGeneration: M, family: { estimator } }, 1500);
      const squares = metrics.map((m) => (m[9].mean as number) ** 2);
      expect(Math.abs(meanOf(squares) - meanSquareDrift(9, M, estimator))).toBeLessThan(3.5 * standardError(squares));
      // W₂² to the truth, exactly: (μₙ − μ)² + (σₙ − σ)² with E σₙ a product of √χ² means.
      for (const n of [0, 4, 9]) {
        const w2 = metrics.map((m) => (m[n].w2 as number) ** 2);
        const exact = expectedW2Squared(n, M, estimator);
        expect(Math.abs(meanOf(w2) - exact), `W₂² at generation ${n}`).toBeLessThan(3.5 * standardError(w2));
      }
      // The first-order (3/2) Σ 1/Mᵢ = 3 at n = 9: the MLE's shrinking σ puts W₂² far below it, which the runs see.
      if (estimator === 'mle') {
        const w2 = metrics.map((m) => (m[9].w2 as number) ** 2);
        expect(Math.abs(meanOf(w2) - w2SquaredFirstOrder(9, M))).toBeGreaterThan(3.5 * standardError(w2));
      }
    });
  }

  it('E W₂² agrees with its first order (3/2) Σ 1/Mᵢ while Σ 1/Mᵢ is small, and with hand cases', () => {
    // n = 0, unbiased, M = 2: σ̂² = χ²₁σ², E σ̂ = √(2/π) σ; E W₂² = 1/2 + 1 − 2√(2/π) + 1.
    expect(expectedW2Squared(0, 2, 'unbiased')).toBeCloseTo(2.5 - 2 * Math.sqrt(2 / Math.PI), 12);
    // MLE, M = 2: σ̂² = χ²₁σ²/2, E σ̂ = √(1/π) σ; E W₂² = 1/2 + 1/2 − 2/√π + 1.
    expect(expectedW2Squared(0, 2, 'mle')).toBeCloseTo(2 - 2 / Math.sqrt(Math.PI), 12);
    for (const estimator of ['mle', 'unbiased'] as const) {
      const exact = expectedW2Squared(9, 10_000, estimator);
      expect(Math.abs(exact / w2SquaredFirstOrder(9, 10_000) - 1)).toBeLessThan(0.01);
    }
    // The Monte Carlo chain behind the bands agrees with the closed form (2,000 paths, M = 20, n = 0, 10, 30).
    const draws = w2SquaredDraws(31, 20, 'mle', 20, 2000);
    for (const n of [0, 10, 30]) {
      const xs = Array.from(draws[n]);
      expect(Math.abs(meanOf(xs) - expectedW2Squared(n, 20, 'mle'))).toBeLessThan(3.5 * standardError(xs));
    }
    const [lo, hi] = w2SquaredMeanInterval(30, 4, 20, 'mle');
    expect(lo).toBeLessThan(expectedW2Squared(30, 20, 'mle'));
    expect(hi).toBeGreaterThan(expectedW2Squared(30, 20, 'mle'));
    // Under accumulate the first order stays under π²/(4M) for ever.
    expect(accumulateW2SquaredFirstOrder(100_000, 100)).toBeLessThan(accumulateW2SquaredBound(100));
    expect(accumulateW2SquaredFirstOrder(100_000, 100)).toBeCloseTo(accumulateW2SquaredBound(100), 6);
  });

  it('E W₂² under accumulate at M = 100 follows (3/2)/M Σ 1/j², under π²/(4M), within 3.5 SE of 300 runs', async () => {
    const M = 100;
    const metrics = await runs(
      'gaussian',
      { generations: 40, samplesPerGeneration: M, policy: { type: 'accumulate' } },
      300,
    );
    for (const n of [0, 39]) {
      const w2 = metrics.map((m) => (m[n].w2 as number) ** 2);
      const theory = accumulateW2SquaredFirstOrder(n, M);
      expect(Math.abs(meanOf(w2) - theory), `generation ${n}`).toBeLessThan(3.5 * standardError(w2));
      expect(meanOf(w2)).toBeLessThan(accumulateW2SquaredBound(M) + 3.5 * standardError(w2));
    }
  });
});

describe('categorical (Wright–Fisher) closed forms', () => {
  it('E[Gini–Simpson] = (1 − 1/M)ⁿ⁺¹ (1 − Σp₀²) for a fair die at M = 30, n = 0, 10, 30, within 3.5 SE of 500 runs', async () => {
    const M = 30;
    const p0 = Array(6).fill(1 / 6);
    const metrics = await runs('dice', { generations: 31, samplesPerGeneration: M }, 500);
    for (const n of [0, 10, 30]) {
      const gs = metrics.map((m) => giniSimpson(m[n].probabilities as number[]));
      expect(Math.abs(meanOf(gs) - expectedGiniSimpson(p0, M, n + 1))).toBeLessThan(3.5 * standardError(gs));
    }
  });

  it('the mean time to fixation of a fair die at M = 100 is 182.3 refits (Kimura), close to a simulation', () => {
    const p0 = Array(6).fill(1 / 6);
    expect(meanTimeToFixation(p0, 100)).toBeCloseTo(182.3, 1);
    // Wright–Fisher directly (multinomial resampling), 400 chains: the diffusion approximation is within a few %.
    const rng = new Rng(5);
    const times: number[] = [];
    for (let chain = 0; chain < 400; chain++) {
      let counts = [100 / 6, 100 / 6, 100 / 6, 100 / 6, 100 / 6, 100 / 6].map((c) => c / 100);
      let t = 0;
      while (counts.filter((c) => c > 0).length > 1) {
        const next = Array(6).fill(0);
        for (let i = 0; i < 100; i++) {
          let u = rng.uniform();
          let k = 0;
          while (k < 5 && u >= counts[k]) u -= counts[k++];
          next[k]++;
        }
        counts = next.map((c) => c / 100);
        t++;
      }
      times.push(t);
    }
    expect(Math.abs(meanOf(times) - 182.3) / 182.3).toBeLessThan(0.08);
  });
});

describe('outcomes lost, exactly (the Wright–Fisher chain of one outcome)', () => {
  it('agrees with hand-computed chains: M = 1 keeps p for ever; M = 2 from p = ½', () => {
    expect(Array.from(survivalProbabilities(0.3, 1, 5))).toEqual(
      [0.3, 0.3, 0.3, 0.3, 0.3].map((v) => expect.closeTo(v, 15)),
    );
    // M = 2, p = ½: X₀ ∈ {0, 1, 2} w.p. ¼, ½, ¼; from 1 the next is lost w.p. ¼, so P(present) = ¾, then ¾ − ½·¼ = ⅝.
    const s = survivalProbabilities(0.5, 2, 3);
    expect(s[0]).toBeCloseTo(0.75, 15);
    expect(s[1]).toBeCloseTo(0.625, 15);
    expect(s[2]).toBeCloseTo(0.75 - 0.5 * (0.25 + 0.5 * 0.25), 15);
    // Generation 0 fits R real draws: P(present) = 1 − (1 − p)^R.
    expect(survivalProbabilities(1 / 6, 100, 1, 40)[0]).toBeCloseTo(1 - (5 / 6) ** 40, 14);
  });

  it('E[support size] of a fair die at M = 30 matches 500 runs at generations 0, 20, 60 and 120 (within 3.5 SE)', async () => {
    const M = 30;
    const expected = expectedSupport(Array(6).fill(1 / 6), M, 121) as Float64Array;
    const metrics = await runs('dice', { generations: 121, samplesPerGeneration: M }, 500);
    for (const n of [0, 20, 60, 120]) {
      const support = metrics.map((m) => m[n].supportSize as number);
      const se = Math.max(standardError(support), 1e-3);
      expect(Math.abs(meanOf(support) - expected[n]), `generation ${n}`).toBeLessThan(3.5 * se);
    }
    // The expectation falls from 6 towards 1 (one outcome is always left).
    expect(expected[0]).toBeCloseTo(6 * (1 - (5 / 6) ** 30), 13);
    expect(expected[120]).toBeLessThan(expected[60]);
    expect(expected[120]).toBeGreaterThan(1);
    expect(expectedSupport(Array(1000).fill(1 / 1000), 10_000, 200)).toBeUndefined(); // too large to step
  });
});

describe('the collapse rate', () => {
  it('recovers a known slope on synthetic data within its bootstrap interval', () => {
    const rng = new Rng(3);
    const series = Array.from({ length: 12 }, () =>
      Array.from({ length: 200 }, (_, g) => Math.exp(-0.013 * g + 0.3 * rng.normal())),
    );
    const rate = collapseRate(series) as NonNullable<ReturnType<typeof collapseRate>>;
    expect(rate.interval[0]).toBeLessThan(-0.013);
    expect(rate.interval[1]).toBeGreaterThan(-0.013);
    expect(rate.halfLife).toBeCloseTo(Math.LN2 / -rate.slope, 12);
    // A statistic that reaches 0 ends the window there.
    expect(collapseRate([[1, 0.5, 0.25, 0.125, 0, 0]])?.generations).toBe(4);
  });

  it('puts the unbiased Gaussian and the categorical at M = 100 at a half-life near M ln 2 (68.4 and 69.0)', async () => {
    const gaussian = await runs(
      'gaussian',
      { generations: 300, samplesPerGeneration: 100, family: { estimator: 'unbiased' } },
      24,
    );
    const g = collapseRate(gaussian.map((m) => m.map((line) => line.variance as number))) as NonNullable<
      ReturnType<typeof collapseRate>
    >;
    const theory = logVarianceStep(100, 'unbiased').mean;
    expect(g.interval[0]).toBeLessThan(theory);
    expect(g.interval[1]).toBeGreaterThan(theory);
    expect(Math.LN2 / -theory).toBeCloseTo(68.4, 1);

    const zipf = await runs(
      'categorical',
      { generations: 150, samplesPerGeneration: 100, real: { type: 'zipf', outcomes: 50, exponent: 1 } },
      24,
    );
    const c = collapseRate(
      zipf.map((m) => m.map((line) => giniSimpson(line.probabilities as number[]))),
    ) as NonNullable<ReturnType<typeof collapseRate>>;
    const slope = Math.log(1 - 1 / 100);
    expect(Math.LN2 / -slope).toBeCloseTo(69.0, 1);
    expect(c.interval[0]).toBeLessThan(slope);
    expect(c.interval[1]).toBeGreaterThan(slope);
  });
});

describe('a run against theory', () => {
  it('records the log-variance z-score in the summary, and flags an estimator inflated by 1.1 as out of band', async () => {
    const config = resolveConfig('gaussian', { generations: 300, heldOutSize: 1 });
    const { summary, metrics } = await runExperiment(config, { out: null });
    // The log-variance walk and the mean's steps.
    expect(summary.theory.map((c) => c.name)).toEqual([
      'log σ² change over 299 generations',
      'Σ squared standardized mean steps (χ², 300 df, replace)',
    ]);
    expect(summary.theory.every((c) => c.inBand)).toBe(true);
    const broken = logVarianceCheck(
      metrics.map((m) => (m.variance as number) * 1.1 ** (m.generation as number)),
      100,
      'mle',
    );
    expect(broken?.inBand).toBe(false);
    // Nothing to check under other policies.
    const mix = await runExperiment(
      resolveConfig('gaussian', { generations: 5, heldOutSize: 1, policy: { type: 'mix' } }),
      { out: null },
    );
    expect(mix.summary.theory).toEqual([]);
  });

  it('checks the mean’s steps against χ²: every honest run within the band, steps inflated by 1.5 out of it', async () => {
    for (const policy of ['replace', 'accumulate'] as const) {
      const metrics = await runs('gaussian', { generations: 200, policy: { type: policy } }, 40);
      const sums: number[] = [];
      for (const m of metrics) {
        const means = m.map((l) => l.mean as number);
        const variances = m.map((l) => l.variance as number);
        const check = meanStepCheck(means, variances, { mean: 0, variance: 1 }, 100, policy);
        expect(check?.inBand, policy).toBe(true);
        sums.push(check?.measured as number);
        // Broken: every step of the mean 50% too long (Σ e² × 2.25).
        const inflated = means.map((_, g) => means[0] + 1.5 * (means[g] - means[0]));
        const broken = meanStepCheck(inflated, variances, { mean: 0, variance: 1 }, 100, policy);
        expect(broken?.inBand, `${policy} broken`).toBe(false);
      }
      // Σ e² is χ² with 200 df exactly: its mean over 40 runs within 3.5 SE (sd √400 = 20 each).
      expect(Math.abs(meanOf(sums) - 200)).toBeLessThan((3.5 * 20) / Math.sqrt(40));
    }
  });
});
