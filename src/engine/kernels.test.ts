import { describe, expect, it } from 'vitest';
import { EngineRandom } from './random.js';
import { backendCases } from './test-helpers/backends.js';

describe.each(backendCases())('row and element kernels on the $name backend', (bc) => {
  it.skipIf(!bc.backend)('softmaxRows matches a float64 softmax, with the causal mask and log-sum-exp', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(4);
    for (const [rows, cols, causal] of [
      [7, 37, false],
      [2 * 13, 13, true],
      [3, 4096, false],
    ] as const) {
      const x = be.alloc(rows * cols);
      rng.fillUniform(x, -30, 30); // wide logits: the exp's range reduction is exercised
      const out = be.alloc(rows * cols);
      out.fill(Number.NaN); // masked entries must be written, not left over
      const lse = be.alloc(rows);
      be.softmaxRows(x, out, rows, cols, causal, lse);
      for (let r = 0; r < rows; r++) {
        const width = causal ? (r % cols) + 1 : cols;
        let max = -Infinity;
        for (let j = 0; j < width; j++) max = Math.max(max, x[r * cols + j]);
        let total = 0;
        for (let j = 0; j < width; j++) total += Math.exp(x[r * cols + j] - max);
        expect(lse[r]).toBeCloseTo(max + Math.log(total), 4);
        for (let j = 0; j < cols; j++) {
          const want = j < width ? Math.exp(x[r * cols + j] - max) / total : 0;
          expect(Math.abs(out[r * cols + j] - want)).toBeLessThan(1e-6 + 1e-5 * want);
        }
      }
    }
  });

  it.skipIf(!bc.backend)('sigmoidBce matches -t log p - (1 - t) log(1 - p) and returns p, even for |x| = 60', () => {
    const be = bc.backend!;
    const x = be.alloc(6);
    x.set([-60, -2, -0.5, 0, 1.5, 60]);
    const t = be.alloc(6);
    t.set([0, 1, 0.3, 1, 0, 1]);
    const p = be.alloc(6);
    const loss = be.sigmoidBce(x, t, p);
    let want = 0;
    for (let i = 0; i < 6; i++) {
      const pi = 1 / (1 + Math.exp(-x[i]));
      expect(p[i]).toBeCloseTo(pi, 6);
      // log(1 - p) = log(sigmoid(-x)) written stably
      const logP = -Math.log1p(Math.exp(-x[i]));
      const log1mP = -Math.log1p(Math.exp(x[i]));
      want -= t[i] * logP + (1 - t[i]) * log1mP;
    }
    expect(loss).toBeCloseTo(want, 4);
  });

  it.skipIf(!bc.backend)('axpy and adamStep match their definitions', () => {
    const be = bc.backend!;
    const n = 100_003; // large enough for the native thread pool to split it, odd for the vector tail
    const rng = new EngineRandom(5);
    const x = rng.fillUniform(be.alloc(n), -1, 1);
    const y = rng.fillUniform(be.alloc(n), -1, 1);
    const y0 = Float32Array.from(y);
    be.axpy(-0.5, x, y);
    for (let i = 0; i < n; i += 997) expect(y[i]).toBeCloseTo(y0[i] - 0.5 * x[i], 6);

    const w = rng.fillUniform(be.alloc(n), -1, 1);
    const g = rng.fillUniform(be.alloc(n), -1, 1);
    const m = rng.fillUniform(be.alloc(n), -0.1, 0.1);
    const v = rng.fillUniform(be.alloc(n), 0, 0.1);
    const [w0, m0, v0] = [Float32Array.from(w), Float32Array.from(m), Float32Array.from(v)];
    const c = { beta1: 0.9, beta2: 0.99, stepSize: 0.01, rootC2: 0.5, eps: 1e-8, l2: 0.1, shrink: 0.999 };
    be.adamStep(w, g, m, v, c);
    for (let i = 0; i < n; i += 997) {
      const gi = g[i] + 0.1 * w0[i];
      const mi = 0.9 * m0[i] + 0.1 * gi;
      const vi = 0.99 * v0[i] + 0.01 * gi * gi;
      expect(m[i]).toBeCloseTo(mi, 6);
      expect(v[i]).toBeCloseTo(vi, 6);
      expect(w[i]).toBeCloseTo(w0[i] * 0.999 - (0.01 * mi) / (Math.sqrt(vi) / 0.5 + 1e-8), 5);
    }
  });
});
