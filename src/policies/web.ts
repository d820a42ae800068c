/**
 * `web`: the contaminated web. Each generation's training set, of fixed size N, is scraped from a pool that
 * holds the remaining fresh human data and everything earlier generations published. Human data is a finite
 * stock drawn without replacement (an item scraped once is no longer fresh), so it runs out — at the generation
 * `webSchedule` computes from the stock, N and how much each generation publishes — while published synthetic
 * data only accumulates. The scrape takes from each side in proportion to its share of the pool, so the
 * synthetic share of the training set follows from the pool, and provenance records it item by item.
 *
 * With `snapshot`, the first mover keeps training on a scrape taken before contamination began (N items of the
 * human stock, the same every generation) while the web around it fills with generated data.
 *
 * The bookkeeping is a pure function of the generation, so a resumed run recomputes it exactly; the human stock
 * is consumed in the real pool's own order, which is already a seeded random order.
 */
import { concatDatasets, type Dataset, datasetSize, takeAcross, takeItems } from '../core/dataset.js';
import type { DataPolicy } from '../core/policy.js';
import type { Samples } from '../core/samples.js';

export interface WebOptions {
  /** Human items on the web before generation 1 (default: the whole real pool). */
  readonly stock?: number;
  /** Items each generation publishes (the first of its synthetic set; default: all M of them). */
  readonly publish?: number;
  /** Items scraped per generation (default: M). */
  readonly scrape?: number;
  /** Train every generation on the pre-contamination scrape instead of a fresh one. */
  readonly snapshot?: boolean;
}

export interface WebSizes {
  readonly stock: number;
  readonly publish: number;
  readonly scrape: number;
}

/** The web as generation g's scraper finds it, and what it takes. */
export interface WebState {
  /** Fresh (never scraped) human items left in the pool. */
  readonly fresh: number;
  /** Synthetic items published by generations 0..g−1. */
  readonly published: number;
  readonly humanScraped: number;
  readonly syntheticScraped: number;
  /** Human items scraped by generations 1..g−1: the stock's items consumed so far. */
  readonly consumed: number;
}

/**
 * Scrape g ≥ 1: human count ⌈N·H/(H+P)⌉ (at most H; rounded up so a non-empty stock is always drawn from and
 * runs out in finite time), the rest synthetic (at most P).
 */
export function webSchedule(generation: number, sizes: WebSizes): WebState {
  let consumed = 0;
  for (let h = 1; ; h++) {
    const fresh = sizes.stock - consumed;
    const published = sizes.publish * h;
    const pool = fresh + published;
    const humanScraped = pool === 0 ? 0 : Math.min(fresh, Math.ceil((sizes.scrape * fresh) / pool));
    const syntheticScraped = Math.min(sizes.scrape - humanScraped, published);
    if (h === generation) return { fresh, published, humanScraped, syntheticScraped, consumed };
    consumed += humanScraped;
  }
}

/** The first generation whose scraper finds no fresh human data (the stock ran out), or null if none does. */
export function stockRunsOutAt(sizes: WebSizes): number | null {
  if (sizes.stock === 0) return 1;
  if (sizes.scrape === 0) return null;
  // Every scrape takes at least one fresh item while any is left, so this ends within stock + 1 generations.
  let consumed = 0;
  for (let h = 1; ; h++) {
    const fresh = sizes.stock - consumed;
    if (fresh === 0) return h;
    const pool = fresh + sizes.publish * h;
    consumed += Math.min(fresh, Math.ceil((sizes.scrape * fresh) / pool));
  }
}

export function webPolicy<S extends Samples = Samples>(options: WebOptions = {}): DataPolicy<S> {
  for (const key of ['stock', 'publish', 'scrape'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0))
      throw new RangeError(`web: ${key} must be a whole number ≥ 0, got ${v}`);
  }
  return {
    name: 'web',
    retains: 'all',
    build(ctx) {
      const sizes: WebSizes = {
        stock: options.stock ?? datasetSize(ctx.real),
        // A generation cannot publish more than it made.
        publish: Math.min(options.publish ?? ctx.samplesPerGeneration, ctx.samplesPerGeneration),
        scrape: options.scrape ?? ctx.samplesPerGeneration,
      };
      if (sizes.stock > datasetSize(ctx.real))
        throw new RangeError(`web: stock ${sizes.stock} exceeds the real pool's ${datasetSize(ctx.real)} items`);
      const state = webSchedule(ctx.generation, sizes);
      const metrics = {
        webFresh: state.fresh,
        webPublished: state.published,
        webPoolSyntheticShare: state.published / (state.fresh + state.published),
        webHumanScraped: state.humanScraped,
        webSyntheticScraped: state.syntheticScraped,
        webStockRunsOutAt: stockRunsOutAt(sizes),
      };
      if (options.snapshot) {
        const n = Math.min(sizes.scrape, sizes.stock);
        return { train: takeItems(ctx.real, range(0, n)), metrics };
      }
      const human = takeItems(ctx.real, range(state.consumed, state.consumed + state.humanScraped));
      if (state.syntheticScraped === 0) return { train: human, metrics };
      const published: Dataset<S>[] = [];
      for (let h = 0; h < ctx.generation; h++) {
        const set = ctx.synthetic[h];
        if (!set) throw new Error(`web: generation ${h}'s synthetic set is not available`);
        published.push(takeItems(set, range(0, sizes.publish)));
      }
      const picked = ctx.rng.sampleWithoutReplacement(state.published, state.syntheticScraped).sort();
      const synthetic = takeAcross(published, picked);
      return { train: datasetSize(human) > 0 ? concatDatasets([human, synthetic]) : synthetic, metrics };
    },
  };
}

function range(from: number, to: number): Int32Array {
  const out = new Int32Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
}
