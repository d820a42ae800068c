import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { sequences } from '../core/samples.js';
import { detect, detectSequences, GreenList, zScore } from './index.js';

const VOCAB = 1000;

/** A uniform "language model" over VOCAB tokens, optionally watermarked: green logits get +δ (the paper's soft rule). */
function generate(rng: Rng, length: number, list?: GreenList): Int32Array {
  const tokens = new Int32Array(length);
  tokens[0] = rng.int(VOCAB);
  const boost = Math.exp(list?.options.delta ?? 0);
  const weights = new Float64Array(VOCAB);
  for (let i = 1; i < length; i++) {
    let total = 0;
    const seed = list?.seed(tokens, i) ?? 0;
    for (let v = 0; v < VOCAB; v++) total += weights[v] = list?.isGreen(seed, v) ? boost : 1;
    let u = rng.uniform() * total;
    let v = 0;
    while (v < VOCAB - 1 && (u -= weights[v]) >= 0) v++;
    tokens[i] = v;
  }
  return tokens;
}

describe('watermark detector', () => {
  it('z-scores: with γ 0.25, 75 green tokens of 200 give z ≈ 4.08 and 74 give 3.92', () => {
    expect(zScore(75, 200, 0.25)).toBeCloseTo(4.08, 2);
    expect(zScore(74, 200, 0.25)).toBeCloseTo(3.92, 2);
    expect(zScore(75, 200, 0.25)).toBeGreaterThanOrEqual(4);
    expect(zScore(74, 200, 0.25)).toBeLessThan(4);
    expect(zScore(50, 200, 0.25)).toBe(0);
    expect(zScore(0, 0, 0.25)).toBe(0);
  });

  it('the green list holds a share γ of the vocabulary after any context, and depends on key and context', () => {
    const list = new GreenList();
    const other = new GreenList({ key: 42 });
    const n = 40_000;
    for (const context of [[0], [17], [999]]) {
      const seed = list.seed(context, 1);
      let green = 0;
      let agree = 0;
      for (let v = 0; v < n; v++) {
        const g = list.isGreen(seed, v);
        if (g) green++;
        if (g === other.isGreen(other.seed(context, 1), v)) agree++;
      }
      expect(Math.abs(green / n - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / n));
      // Independent lists agree on γ² + (1 − γ)² = 0.625 of tokens.
      expect(Math.abs(agree / n - 0.625)).toBeLessThan(4 * Math.sqrt((0.625 * 0.375) / n));
    }
    const wide = new GreenList({ contextWidth: 2 });
    expect(wide.seed([1, 2], 2)).not.toBe(wide.seed([3, 2], 2));
    expect(list.seed([1, 2], 2)).toBe(list.seed([3, 2], 2));
  });

  it('unwatermarked text stays near 0: mean 0 and standard deviation 1 over many sequences', () => {
    const rng = new Rng(6);
    const list = new GreenList();
    const z = Array.from({ length: 1500 }, () => detect(list, generate(rng, 200)).z);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1));
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(z.length));
    expect(Math.abs(sd - 1)).toBeLessThan(0.1);
    // At the default threshold z ≥ 4 the false-positive rate is ~3e-5: none of 1,500 should fire.
    expect(z.filter((x) => x >= 4).length).toBe(0);
  });

  it('watermarked text (δ 2) exceeds the threshold at 200 tokens; the wrong key sees nothing', () => {
    const rng = new Rng(8);
    const list = new GreenList();
    const texts = Array.from({ length: 40 }, () => generate(rng, 200, list));
    // P(green) = γe^δ / (γe^δ + 1 − γ) ≈ 0.711, so E[z] ≈ (0.711 − 0.25)·199 / √(199·0.1875) ≈ 15.
    for (const t of texts) expect(detect(list, t).z).toBeGreaterThan(4);
    const wrongKey = new GreenList({ key: 7 });
    const z = texts.map((t) => detect(wrongKey, t).z);
    expect(Math.abs(z.reduce((a, b) => a + b, 0) / z.length)).toBeLessThan(4 / Math.sqrt(z.length));
  });

  it('scores every sequence of a sample set, skipping tokens without a full context', () => {
    const list = new GreenList({ contextWidth: 2 });
    const a = generate(new Rng(1), 60, list);
    const b = generate(new Rng(2), 1);
    const set = sequences(Int32Array.from([...a, ...b]), Int32Array.of(0, 60, 61), VOCAB);
    const z = detectSequences(list, set);
    expect(z[0]).toBe(detect(list, a).z);
    expect(detect(list, a).scored).toBe(58);
    expect(z[1]).toBe(0);
    expect(() => new GreenList({ gamma: 1 })).toThrow(/gamma/);
  });
});
