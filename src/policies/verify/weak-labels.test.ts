import { describe, expect, it } from 'vitest';
import { labelDataset, REAL } from '../../core/dataset.js';
import type { PolicyContext, ScoringModel } from '../../core/policy.js';
import { Rng } from '../../core/rng.js';
import { type VectorSamples, vectors } from '../../core/samples.js';
import { resolveConfig } from '../../experiments/run.js';
import { type GaussianModel, gaussianLogDensity } from '../../families/gaussian/model.js';
import { filterPolicy } from '../filter.js';
import { keptByLabels, weakLabels } from './weak-labels.js';

describe('weak labeller', () => {
  it.each([0.05, 0.1, 0.2])('is right with probability ½ + %s, within 3.5 standard errors', (beta) => {
    const n = 40_000;
    const rng = new Rng(11);
    const own = Float64Array.from({ length: n }, () => rng.normal());
    const real = Float64Array.from({ length: n }, () => rng.normal());
    const result = weakLabels(own, real, { beta, budget: 1 }, new Rng(12, Math.round(beta * 100)));
    // Recount agreement with the judgement from the scores themselves, not from the labeller's own tally.
    const weights = real.map((r, i) => r - own[i]);
    const median =
      Array.from(weights).sort((a, b) => a - b)[n / 2 - 1] / 2 + Array.from(weights).sort((a, b) => a - b)[n / 2] / 2;
    let agree = 0;
    for (let i = 0; i < n; i++) if ((result.labels[i] === 1) === weights[i] >= median) agree++;
    expect(agree).toBe(result.correct);
    const p = 0.5 + beta;
    const se = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(agree / n - p)).toBeLessThan(3.5 * se);
  });

  it('spends its budget on the highest-loss items only, and β = ½ labels every one right', () => {
    // Likelihoods under the generator: items 3 and 0 are the least likely (highest loss).
    const own = Float64Array.of(-5, -1, -2, -9, -0.5);
    const real = Float64Array.of(-4, -1, -3, -10, 0);
    const { labels, labelled, good } = weakLabels(own, real, { beta: 0.5, budget: 0.4 }, new Rng(1));
    expect(labelled).toBe(2);
    // Log weights real − own: 1, 0, −1, −1, 0.5, median 0. Item 0 (weight 1) is good; item 3 (−1) bad.
    expect(Array.from(labels)).toEqual([1, 0, 0, -1, 0]);
    expect(good).toBe(1);
  });

  it('keeps a good item twice, drops a bad one, keeps the rest once', () => {
    expect(Array.from(keptByLabels(Int8Array.of(1, 0, -1, 1)))).toEqual([0, 0, 1, 3, 3]);
  });

  it('widens a too-narrow generator when β > 0, and not (beyond chance) at β = 0', async () => {
    const narrow: GaussianModel = { dim: 1, mean: Float64Array.of(0), covariance: Float64Array.of(0.25) };
    const truth: GaussianModel = { dim: 1, mean: Float64Array.of(0), covariance: Float64Array.of(1) };
    const models: Record<ScoringModel, GaussianModel> = {
      previous: narrow,
      'held-out': truth,
      'generation-zero': truth,
    };
    const ratio = async (beta: number, rep: number) => {
      const rng = new Rng(5, rep);
      const values = Float64Array.from({ length: 100 }, () => 0.5 * rng.normal());
      const ctx: PolicyContext<VectorSamples> = {
        generation: 1,
        real: labelDataset(vectors(Float64Array.of(0), 1), REAL),
        synthetic: [labelDataset(vectors(values, 1), 0)],
        history: [{}],
        samplesPerGeneration: 100,
        rng: new Rng(6, rep),
        score: async (which, s) => gaussianLogDensity(models[which], s.values),
      };
      const policy = filterPolicy<VectorSamples>({
        verifier: 'weak-labels',
        selection: { type: 'top', fraction: 1 },
        labels: { beta, budget: 0.2 },
      });
      const { train, metrics } = await policy.build(ctx);
      expect(metrics?.filterLabelled).toBe(20);
      return variance(train.samples.values) / variance(values);
    };
    const stats = async (beta: number) => {
      const xs = await Promise.all(Array.from({ length: 200 }, (_, r) => ratio(beta, r)));
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
      return { m, se: sd / Math.sqrt(xs.length) };
    };
    const [coin, weak] = [await stats(0), await stats(0.2)];
    // Every labelled (tail) item of a too-narrow model is good: at β = 0.2, 70% are doubled and 30% dropped.
    expect(weak.m - coin.m).toBeGreaterThan(4 * Math.hypot(weak.se, coin.se));
    expect(Math.abs(coin.m - 1)).toBeLessThan(0.05);
  });

  it('refuses labels without the weak-labels verifier, and the verifier without labels', () => {
    const band = { type: 'band', dropUnlikely: 0.01, dropLikely: 0.05 } as const;
    expect(() => filterPolicy({ verifier: 'weak-labels', selection: band })).toThrow(/needs labels/);
    expect(() => filterPolicy({ verifier: 'quality', selection: band, labels: { beta: 0.1, budget: 0.2 } })).toThrow(
      /belong to verifier 'weak-labels'/,
    );
    expect(() =>
      filterPolicy({ verifier: 'weak-labels', selection: band, labels: { beta: 0.7, budget: 0.2 } }),
    ).toThrow(/labels.beta .* \[0, 0.5\]; got 0.7/);
  });
});

function variance(x: Float64Array): number {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  return x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length;
}

describe('weak labels in a config', () => {
  it('names the field, the value and the fix (exit 2 material) for a bad edge or a missing labels block', () => {
    const config = (policy: Record<string, unknown>) => () => resolveConfig('gaussian', { policy });
    expect(config({ type: 'filter', verifier: 'weak-labels', labels: { beta: 0.7 } })).toThrow(
      /policy\.labels\.beta.*0\.5.*0\.7/s,
    );
    expect(config({ type: 'filter', verifier: 'weak-labels' })).toThrow(
      /policy\.labels.*needs labels: \{ beta, budget \}/s,
    );
    expect(config({ type: 'filter', verifier: 'quality', labels: { beta: 0.1 } })).toThrow(/belong to it alone/);
    const ok = resolveConfig('gaussian', {
      policy: { type: 'filter', verifier: 'weak-labels', labels: { beta: 0.1 } },
    });
    expect(ok.policy).toMatchObject({ verifier: 'weak-labels', labels: { beta: 0.1, budget: 0.2 } });
  });
});
