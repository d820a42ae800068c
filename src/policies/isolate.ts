/**
 * `isolate`: keep AI text out of the next training set by provenance watermark (the human-data side of the
 * debate). A source policy (by default `accumulate`: the real data and everything generated so far, so that
 * there is human text to keep) proposes candidates; the watermark detector (Kirchenbauer et al. 2023) scores
 * each one, and those with z ≥ threshold (default 4) are dropped as AI text. Only generators that watermark can
 * be caught (see the family's `watermarkShare`), so what survives is the human text plus every unwatermarked
 * synthetic item the detector missed.
 *
 * The detector is judged against provenance in every metrics line: precision and recall of "detected" against
 * "synthetic" and against "watermarked" (which items were watermarked is a function of the watermark's key,
 * the generation and the share: watermark/share.ts), and what survived by origin.
 */
import { type Dataset, datasetSize, REAL, takeItems } from '../core/dataset.js';
import type { Metrics } from '../core/family.js';
import type { DataPolicy } from '../core/policy.js';
import type { SequenceSamples } from '../core/samples.js';
import { detectSequences } from '../watermark/detector.js';
import { GreenList, type WatermarkOptions } from '../watermark/green-list.js';
import { watermarkedItems } from '../watermark/share.js';
import { accumulatePolicy } from './accumulate.js';

export interface IsolateOptions {
  /** The watermark the detector looks for (the family's), and the share of generators that use it. */
  readonly watermark: Partial<WatermarkOptions> & { readonly watermarkShare?: number };
  /** z-score at or above which an item is judged watermarked; default 4. */
  readonly threshold?: number;
  /** Proposes the candidates; default `accumulate`. */
  readonly source?: DataPolicy;
}

/** The detector's decisions against provenance, counted. */
export interface IsolationCounts {
  readonly candidates: number;
  readonly real: number;
  readonly synthetic: number;
  readonly watermarked: number;
  /** Items with z ≥ threshold (dropped). */
  readonly flagged: number;
  readonly flaggedReal: number;
  readonly flaggedSynthetic: number;
  readonly flaggedWatermarked: number;
}

/** Counts flags (z ≥ threshold) by origin; `isWatermarked(h, i)` is the truth for item i of generation h's set. */
export function countIsolation(
  data: Pick<Dataset, 'origin' | 'index'>,
  z: Float64Array,
  threshold: number,
  isWatermarked: (generation: number, index: number) => boolean,
): IsolationCounts {
  let real = 0;
  let watermarked = 0;
  let flagged = 0;
  let flaggedReal = 0;
  let flaggedWatermarked = 0;
  const n = data.origin.length;
  for (let i = 0; i < n; i++) {
    const isReal = data.origin[i] === REAL;
    const marked = !isReal && isWatermarked(data.origin[i], data.index[i]);
    const flag = z[i] >= threshold;
    if (isReal) real++;
    if (marked) watermarked++;
    if (!flag) continue;
    flagged++;
    if (isReal) flaggedReal++;
    if (marked) flaggedWatermarked++;
  }
  return {
    candidates: n,
    real,
    synthetic: n - real,
    watermarked,
    flagged,
    flaggedReal,
    flaggedSynthetic: flagged - flaggedReal,
    flaggedWatermarked,
  };
}

/** The metrics line's `isolate*` figures; a ratio with nothing to divide by is null. */
export function isolationMetrics(c: IsolationCounts): Metrics {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    isolateCandidates: c.candidates,
    isolateDropped: c.flagged,
    isolateDroppedReal: c.flaggedReal,
    isolateKeptReal: c.real - c.flaggedReal,
    isolateKeptSynthetic: c.synthetic - c.flaggedSynthetic,
    isolateKeptWatermarked: c.watermarked - c.flaggedWatermarked,
    /** Of the items dropped, the share that was synthetic; of the synthetic items, the share dropped. */
    isolatePrecisionSynthetic: ratio(c.flaggedSynthetic, c.flagged),
    isolateRecallSynthetic: ratio(c.flaggedSynthetic, c.synthetic),
    /** The same against the items that were actually watermarked. */
    isolatePrecisionWatermarked: ratio(c.flaggedWatermarked, c.flagged),
    isolateRecallWatermarked: ratio(c.flaggedWatermarked, c.watermarked),
  };
}

export function isolatePolicy(options: IsolateOptions): DataPolicy<SequenceSamples> {
  if (!options?.watermark)
    throw new RangeError('isolate: no watermark to detect; set family.watermark (watermarkShare may be 0)');
  const threshold = options.threshold ?? 4;
  if (!Number.isFinite(threshold)) throw new RangeError(`isolate: threshold must be finite, got ${threshold}`);
  const { watermarkShare = 1, ...settings } = options.watermark;
  const list = new GreenList(settings);
  const source = (options.source ?? accumulatePolicy()) as unknown as DataPolicy<SequenceSamples>;
  // Which items each generation watermarked: pure functions of (key, generation, M), so a cache is safe.
  const marked = new Map<number, Uint8Array>();
  return {
    name: 'isolate',
    retains: source.retains,
    async build(ctx) {
      const proposed = await source.build(ctx);
      const candidates = proposed.train;
      if (candidates.samples.kind !== 'sequences') throw new RangeError('isolate: needs token sequences');
      const z = detectSequences(list, candidates.samples);
      const truth = (generation: number, index: number) => {
        let set = marked.get(generation);
        if (!set) {
          set = watermarkedItems(list.options.key, generation, ctx.samplesPerGeneration, watermarkShare);
          marked.set(generation, set);
        }
        return set[index] === 1;
      };
      const counts = countIsolation(candidates, z, threshold, truth);
      const kept: number[] = [];
      for (let i = 0; i < z.length; i++) if (!(z[i] >= threshold)) kept.push(i);
      const train = kept.length === datasetSize(candidates) ? candidates : takeItems(candidates, kept);
      return { train, metrics: { ...proposed.metrics, ...isolationMetrics(counts) } };
    },
  };
}
