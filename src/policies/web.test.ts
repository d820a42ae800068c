import { describe, expect, it } from 'vitest';
import { type Dataset, labelDataset, REAL } from '../core/dataset.js';
import type { PolicyContext } from '../core/policy.js';
import { deriveRng } from '../core/rng.js';
import { type VectorSamples, vectors } from '../core/samples.js';
import { filterPolicy } from './filter.js';
import { stockRunsOutAt, webPolicy, webSchedule } from './web.js';

/** Items whose value encodes their provenance: real item i is 100000 + i, generation g's item i is g·1000 + i. */
function set(origin: number, n: number): Dataset<VectorSamples> {
  const values = Float64Array.from({ length: n }, (_, i) => (origin === REAL ? 100_000 : origin * 1000) + i);
  return labelDataset(vectors(values, 1), origin);
}

function context(generation: number, stock = 500, m = 100): PolicyContext<VectorSamples> {
  return {
    generation,
    real: set(REAL, stock),
    synthetic: Array.from({ length: generation }, (_, g) => set(g, m)),
    history: [],
    samplesPerGeneration: m,
    rng: deriveRng(1, generation, 'policy'),
  };
}

describe('web policy', () => {
  it("each scrape's synthetic share matches the pool's bookkeeping exactly, item by item", async () => {
    const policy = webPolicy<VectorSamples>({ publish: 60 });
    const seenHuman = new Set<number>();
    let consumed = 0;
    const runsOut = stockRunsOutAt({ stock: 500, publish: 60, scrape: 100 }) as number;
    for (let g = 1; g <= runsOut + 2; g++) {
      const { train, metrics } = await policy.build(context(g));
      const m = metrics as Record<string, number>;
      const human = Array.from(train.origin).filter((o) => o === REAL).length;
      // Provenance agrees with the bookkeeping, and the bookkeeping with the pool.
      expect(human).toBe(m.webHumanScraped);
      expect(train.origin.length - human).toBe(m.webSyntheticScraped);
      expect(m.webFresh).toBe(500 - consumed);
      expect(m.webPublished).toBe(60 * g);
      expect(m.webPoolSyntheticShare).toBe(m.webPublished / (m.webPublished + m.webFresh));
      // The scrape follows the pool's shares (human rounded up) and has the fixed size while the web is large enough.
      expect(m.webHumanScraped).toBe(Math.min(m.webFresh, Math.ceil(100 * (1 - m.webPoolSyntheticShare))));
      expect(train.origin.length).toBe(100);
      // Fresh human data is drawn without replacement; synthetic items come only from what was published.
      train.origin.forEach((o, i) => {
        const value = train.samples.values[i];
        expect(value).toBe((o === REAL ? 100_000 : o * 1000) + train.index[i]);
        if (o === REAL) {
          expect(seenHuman.has(value)).toBe(false);
          seenHuman.add(value);
        } else {
          expect(o).toBeLessThan(g);
          expect(train.index[i]).toBeLessThan(60);
        }
      });
      consumed += human;
    }
    // The stock runs out where stockRunsOutAt says: the first scrape with no fresh human data.
    expect(runsOut).toBeGreaterThan(2);
    expect(webSchedule(runsOut - 1, { stock: 500, publish: 60, scrape: 100 }).humanScraped).toBeGreaterThan(0);
    expect(webSchedule(runsOut, { stock: 500, publish: 60, scrape: 100 }).fresh).toBe(0);
    expect(seenHuman.size).toBe(500);
  });

  it('the first scrape is mostly human and the stock is recomputable from the generation alone', () => {
    const sizes = { stock: 1000, publish: 100, scrape: 100 };
    // Pool at g = 1: 1000 fresh + 100 published → ⌈100·1000/1100⌉ = 91 human.
    expect(webSchedule(1, sizes)).toEqual({
      fresh: 1000,
      published: 100,
      humanScraped: 91,
      syntheticScraped: 9,
      consumed: 0,
    });
    expect(webSchedule(2, sizes).fresh).toBe(909);
    expect(stockRunsOutAt({ stock: 0, publish: 1, scrape: 1 })).toBe(1);
  });

  it('is deterministic for a given generation and seed, and draws differently at another', async () => {
    const a = await webPolicy<VectorSamples>().build(context(8));
    const b = await webPolicy<VectorSamples>().build(context(8));
    expect(Array.from(a.train.samples.values)).toEqual(Array.from(b.train.samples.values));
    const other = await webPolicy<VectorSamples>().build({ ...context(8), rng: deriveRng(2, 8, 'policy') });
    expect(Array.from(other.train.samples.values)).not.toEqual(Array.from(a.train.samples.values));
  });

  it('snapshot keeps training on the same pre-contamination human scrape', async () => {
    const policy = webPolicy<VectorSamples>({ snapshot: true });
    const first = await policy.build(context(1));
    const later = await policy.build(context(40));
    expect(Array.from(later.train.samples.values)).toEqual(Array.from(first.train.samples.values));
    expect(later.train.origin.every((o) => o === REAL)).toBe(true);
    expect(later.metrics?.webPoolSyntheticShare).toBeGreaterThan(0.8);
  });

  it('combines with filter: the verifier sees the scrape and the web figures reach the metrics line', async () => {
    const policy = filterPolicy<VectorSamples>({
      verifier: (d) => d.origin.map((o) => (o === REAL ? 1 : 0)) as unknown as Float64Array,
      selection: { type: 'top', fraction: 0.5 },
      source: webPolicy<VectorSamples>({ publish: 100 }),
    });
    const { train, metrics } = await policy.build(context(3));
    expect(train.origin.length).toBe(50);
    expect(train.origin.every((o) => o === REAL)).toBe(true);
    expect(metrics).toMatchObject({ filterCandidates: 100, webHumanScraped: expect.any(Number) });
  });

  it('rejects a stock larger than the real pool', () => {
    expect(() => webPolicy<VectorSamples>({ stock: 501 }).build(context(1))).toThrow(/exceeds the real pool/);
    expect(() => webPolicy<VectorSamples>({ publish: -1 })).toThrow(/publish/);
  });
});
