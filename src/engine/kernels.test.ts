import { describe, expect, it } from 'vitest';
import type { Backend, ConvGeometry } from './backend.js';
import { col2imJs, im2colJs } from './js-kernels.js';
import { EngineRandom } from './random.js';
import { backendCases } from './test-helpers/backends.js';

/**
 * Runs softmaxRows on x and checks every probability and log-sum-exp against float64: masked (causal) and
 * underflowing entries must be exactly 0, and written even though the output starts as NaN.
 */
function checkSoftmaxRows(be: Backend, x: Float32Array, rows: number, cols: number, causal: boolean): void {
  const out = be.alloc(rows * cols);
  out.fill(Number.NaN);
  const lse = be.alloc(rows);
  be.softmaxRows(x, out, rows, cols, causal, lse);
  for (let r = 0; r < rows; r++) {
    const width = causal ? (r % cols) + 1 : cols;
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, x[r * cols + j]);
    let total = 0;
    for (let j = 0; j < width; j++) total += Math.exp(x[r * cols + j] - max);
    expect(Math.abs(lse[r] - (max + Math.log(total)))).toBeLessThan(1e-5 * (1 + Math.abs(max)));
    for (let j = 0; j < cols; j++) {
      const want = j < width ? Math.exp(x[r * cols + j] - max) / total : 0;
      if (want === 0) expect(Math.abs(out[r * cols + j])).toBe(0);
      else expect(Math.abs(out[r * cols + j] - want)).toBeLessThan(1e-6 + 1e-5 * want);
    }
  }
}

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
      checkSoftmaxRows(be, x, rows, cols, causal);
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

  it.skipIf(!bc.backend)('axpy, scale and adamStep match their definitions', () => {
    const be = bc.backend!;
    const n = 100_003; // large enough for the native thread pool to split it, odd for the vector tail
    const rng = new EngineRandom(5);
    const x = rng.fillUniform(be.alloc(n), -1, 1);
    const y = rng.fillUniform(be.alloc(n), -1, 1);
    const y0 = Float32Array.from(y);
    be.axpy(-0.5, x, y);
    for (let i = 0; i < n; i += 997) expect(y[i]).toBeCloseTo(y0[i] - 0.5 * x[i], 6);
    const out = be.alloc(n);
    out.fill(Number.NaN); // scale overwrites: nothing of the old contents may survive
    be.scale(-0.75, x, out);
    for (let i = 0; i < n; i++)
      if (out[i] !== Math.fround(-0.75 * x[i])) expect(out[i]).toBe(Math.fround(-0.75 * x[i]));

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

  it.skipIf(!bc.backend)('addRows and sumRows match their float64 definitions (broadcast and same-size)', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(9);
    for (const [rows, nb] of [
      [1000, 131], // enough for the native thread pool to split
      [3, 5],
      [1, 77],
    ]) {
      const x = rng.fillUniform(be.alloc(rows * nb), -1, 1);
      const y = rng.fillUniform(be.alloc(nb), -1, 1);
      const out = be.alloc(rows * nb);
      out.fill(Number.NaN);
      be.addRows(x, y, -1, out);
      for (let i = 0; i < rows * nb; i++) expect(out[i]).toBeCloseTo(x[i] - y[i % nb], 6);
      const gy = rng.fillUniform(be.alloc(nb), -1, 1);
      const want = Float64Array.from(gy);
      for (let i = 0; i < rows * nb; i++) want[i % nb] += 0.5 * x[i];
      be.sumRows(x, 0.5, gy);
      for (let j = 0; j < nb; j++) expect(Math.abs(gy[j] - want[j])).toBeLessThan(1e-4);
    }
  });

  it.skipIf(!bc.backend)('addChannelBias adds each channel its bias', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(10);
    const [n, c, p] = [300, 7, 49]; // enough for the native thread pool to split
    const out = rng.fillUniform(be.alloc(n * c * p), -1, 1);
    const out0 = Float32Array.from(out);
    const bias = rng.fillUniform(be.alloc(c), -1, 1);
    be.addChannelBias(out, n, c, p, bias);
    for (let i = 0; i < n * c * p; i++) {
      const want = Math.fround(out0[i] + bias[Math.floor(i / p) % c]);
      if (out[i] !== want) expect(out[i]).toBe(want);
    }
  });

  it.skipIf(!bc.backend)('softmaxBackward matches its float64 definition, with the causal mask', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(6);
    for (const [rows, cols, causal] of [
      [5, 37, false],
      [3 * 64, 64, true],
    ] as const) {
      const o = rng.fillUniform(be.alloc(rows * cols), 0, 1);
      const g = rng.fillUniform(be.alloc(rows * cols), -1, 1);
      const gx = rng.fillUniform(be.alloc(rows * cols), -1, 1);
      const gx0 = Float64Array.from(gx);
      be.softmaxBackward(o, g, gx, rows, cols, causal);
      for (let r = 0; r < rows; r++) {
        const width = causal ? (r % cols) + 1 : cols;
        let dot = 0;
        for (let j = 0; j < width; j++) dot += g[r * cols + j] * o[r * cols + j];
        for (let j = 0; j < cols; j++) {
          const i = r * cols + j;
          const want = j < width ? gx0[i] + o[i] * (g[i] - dot) : gx0[i];
          expect(Math.abs(gx[i] - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
        }
      }
    }
  });

  it.skipIf(!bc.backend)('layerNorm and its backward match float64 definitions', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(7);
    const rows = 300; // enough rows for the native thread pool to split them
    const n = 129; // odd, past any vector width
    const x = rng.fillUniform(be.alloc(rows * n), -3, 5);
    const gain = rng.fillUniform(be.alloc(n), 0.5, 1.5);
    const bias = rng.fillUniform(be.alloc(n), -1, 1);
    const out = be.alloc(rows * n);
    const xhat = be.alloc(rows * n);
    const rstd = be.alloc(rows);
    be.layerNorm(x, gain, bias, rows, n, 1e-5, out, xhat, rstd);
    const g = rng.fillUniform(be.alloc(rows * n), -1, 1);
    const gx = rng.fillUniform(be.alloc(rows * n), -1, 1);
    const gg = rng.fillUniform(be.alloc(n), -1, 1);
    const gb = rng.fillUniform(be.alloc(n), -1, 1);
    const [gx0, gg0, gb0] = [Float64Array.from(gx), Float64Array.from(gg), Float64Array.from(gb)];
    be.layerNormBackward(g, xhat, rstd, gain, rows, n, gx, gg, gb);
    const wantGg = Float64Array.from(gg0);
    const wantGb = Float64Array.from(gb0);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(x.subarray(r * n, (r + 1) * n));
      const mean = row.reduce((s, v) => s + v, 0) / n;
      const rs = 1 / Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / n + 1e-5);
      expect(rstd[r]).toBeCloseTo(rs, 4);
      const h = row.map((v) => (v - mean) * rs);
      let sumD = 0;
      let sumDH = 0;
      for (let j = 0; j < n; j++) {
        const i = r * n + j;
        expect(Math.abs(xhat[i] - h[j])).toBeLessThan(1e-5);
        expect(Math.abs(out[i] - (h[j] * gain[j] + bias[j]))).toBeLessThan(1e-5);
        sumD += g[i] * gain[j];
        sumDH += g[i] * gain[j] * h[j];
        wantGg[j] += g[i] * h[j];
        wantGb[j] += g[i];
      }
      for (let j = 0; j < n; j++) {
        const i = r * n + j;
        const want = gx0[i] + rs * (g[i] * gain[j] - sumD / n - h[j] * (sumDH / n));
        expect(Math.abs(gx[i] - want)).toBeLessThan(1e-4 * (1 + Math.abs(want)));
      }
    }
    for (let j = 0; j < n; j++) {
      expect(Math.abs(gg[j] - wantGg[j])).toBeLessThan(1e-3);
      expect(Math.abs(gb[j] - wantGb[j])).toBeLessThan(1e-3);
    }
    // Null gradients are skipped.
    be.layerNormBackward(g, xhat, rstd, gain, rows, n, null, null, gb);
    for (let j = 0; j < n; j++) expect(Math.abs(gb[j] - 2 * wantGb[j] + gb0[j])).toBeLessThan(2e-3);
  });

  it.skipIf(!bc.backend)('permute copies forward and adds the inverse permutation backward', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(8);
    for (const [shape, perm] of [
      [
        [4, 65, 3, 2, 5],
        [2, 0, 3, 1, 4],
      ], // attention's head split, with a long outer extent
      [
        [3, 7, 5],
        [2, 1, 0],
      ], // innermost dimension strided
      [
        [6, 9],
        [0, 1],
      ],
    ] as Array<[number[], number[]]>) {
      const total = shape.reduce((a, b) => a * b, 1);
      const x = rng.fillUniform(be.alloc(total), -1, 1);
      const out = be.alloc(total);
      be.permute(x, shape, perm, out, false);
      const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      const outShape = perm.map((p) => shape[p]);
      // source index of each output element, by decoding the output index
      const source = new Int32Array(total);
      for (let o = 0; o < total; o++) {
        let rest = o;
        let src = 0;
        for (let d = outShape.length - 1; d >= 0; d--) {
          src += (rest % outShape[d]) * inStrides[perm[d]];
          rest = Math.floor(rest / outShape[d]);
        }
        source[o] = src;
        expect(out[o]).toBe(x[src]);
      }
      const g = rng.fillUniform(be.alloc(total), -1, 1);
      const gx = rng.fillUniform(be.alloc(total), -1, 1);
      const gx0 = Float32Array.from(gx);
      be.permute(gx, shape, perm, g, true);
      for (let o = 0; o < total; o++) expect(gx[source[o]]).toBeCloseTo(gx0[source[o]] + g[o], 6);
    }
  });
  it.skipIf(!bc.backend)('softmaxRows handles short row tails, -inf, huge spreads and equal logits', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(11);
    for (const [rows, cols, causal, fill] of [
      [6, 1, false, 'wide'],
      [6, 3, false, 'wide'],
      [6, 5, false, 'wide'],
      [6, 7, false, 'wide'],
      [14, 7, true, 'wide'], // causal widths 1..7: every tail length
      [4, 11, false, 'masked'], // -inf entries (a mask written into the logits) give 0
      [4, 13, false, 'huge'], // spreads of 1e4: most exps underflow to 0, the max's gives 1
      [3, 9, false, 'equal'], // a uniform row
    ] as const) {
      const x = be.alloc(rows * cols);
      rng.fillUniform(x, -30, 30);
      if (fill === 'huge') rng.fillUniform(x, -1e4, 1e4);
      if (fill === 'equal') x.fill(1e-3);
      if (fill === 'masked') for (let i = 0; i < x.length; i += 3) x[i] = -Infinity;
      checkSoftmaxRows(be, x, rows, cols, causal);
    }
  });

  it.skipIf(!bc.backend)('sigmoidBce over many logits matches its float64 definition (vector exp and log1p)', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(12);
    const n = 1001; // odd: the vector body and its scalar tail
    const x = rng.fillUniform(be.alloc(n), -20, 20);
    const t = rng.fillUniform(be.alloc(n), 0, 1);
    const p = be.alloc(n);
    const loss = be.sigmoidBce(x, t, p);
    let want = 0;
    for (let i = 0; i < n; i++) {
      const pi = 1 / (1 + Math.exp(-x[i]));
      expect(Math.abs(p[i] - pi)).toBeLessThan(1e-6 * pi + 1e-12);
      want += Math.max(x[i], 0) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
    }
    expect(Math.abs(loss - want)).toBeLessThan(1e-6 * want);
  });

  it.skipIf(!bc.backend)('relu and reluBackward cover odd lengths exactly', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(13);
    const n = 1003;
    const x = rng.fillUniform(be.alloc(n), -1, 1);
    x[5] = 0; // not > 0: no gradient
    const out = be.alloc(n);
    out.fill(Number.NaN);
    be.relu(x, out);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(Math.max(x[i], 0));
    const g = rng.fillUniform(be.alloc(n), -1, 1);
    const gx = rng.fillUniform(be.alloc(n), -1, 1);
    const gx0 = Float32Array.from(gx);
    be.reluBackward(x, g, gx);
    for (let i = 0; i < n; i++) expect(gx[i]).toBe(x[i] > 0 ? Math.fround(gx0[i] + g[i]) : gx0[i]);
  });

  it.skipIf(!bc.backend)('im2col and col2im match the TypeScript kernels on odd geometries', () => {
    const be = bc.backend!;
    const rng = new EngineRandom(14);
    for (const [n, c, h, w, k, stride, pad] of [
      [3, 2, 9, 11, 3, 2, 1], // odd sizes, stride 2
      [2, 3, 14, 14, 4, 2, 1], // the conv VAE's layers
      [2, 2, 7, 6, 3, 1, 0], // stride 1, no padding
      [1, 2, 10, 13, 5, 3, 2], // stride 3, padding wider than a stride
    ]) {
      const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
      const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
      const g: ConvGeometry = { n, c, h, w, kh: k, kw: k, stride, pad, oh, ow };
      const x = rng.fillUniform(be.alloc(n * c * h * w), -1, 1);
      const cols = be.alloc(c * k * k * n * oh * ow);
      cols.fill(Number.NaN); // every entry, padding included, must be written
      be.im2col(x, g, cols);
      const want = new Float32Array(cols.length);
      im2colJs(x, g, want);
      for (let i = 0; i < cols.length; i++) if (cols[i] !== want[i]) expect(cols[i]).toBe(want[i]);
      const gx = rng.fillUniform(be.alloc(x.length), -1, 1);
      const wantGx = Float32Array.from(gx);
      be.col2im(want, g, gx);
      col2imJs(want, g, wantGx);
      for (let i = 0; i < gx.length; i++) expect(Math.abs(gx[i] - wantGx[i])).toBeLessThan(1e-6);
    }
  });
});
