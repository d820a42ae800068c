import { describe, expect, it } from 'vitest';
import { conv2d, convChunk, convTranspose2d } from './ops/conv.js';
import { add, affine, exp, gelu, log, mul, relu, sigmoid, sub, tanh } from './ops/elementwise.js';
import { matmul } from './ops/matmul.js';
import { crossEntropy, dropout, embedding, layerNorm, sigmoidBce, sigmoidBceClamped, softmax } from './ops/nn.js';
import { mean, narrow, permute, reshape, select, sum, sumLast, transpose } from './ops/shape.js';
import { EngineRandom } from './random.js';
import type { Engine, Tensor } from './tensor.js';
import { backendCases, engineFor } from './test-helpers/backends.js';
import { type GradCheckOptions, type GradInput, gradCheck } from './test-helpers/gradcheck.js';

interface OpCase {
  name: string;
  inputs: GradInput[];
  f: (xs: Tensor[], E: Engine) => Tensor;
  options?: GradCheckOptions;
}

const positive = (n: number) => {
  const r = new EngineRandom(3);
  return Float32Array.from({ length: n }, () => 0.5 + r.uniform());
};
const ids = Int32Array.from([3, 0, 3, 1, 4, 2]);
const targets = Int32Array.from([1, 4, 0, 2, 2, 3]);

const CASES: OpCase[] = [
  ...[false, true].flatMap((tA) =>
    [false, true].map((tB) => ({
      name: `matmul 2-D transA=${tA} transB=${tB}`,
      inputs: [{ shape: tA ? [4, 3] : [3, 4] }, { shape: tB ? [5, 4] : [4, 5] }],
      f: ([a, b]: Tensor[]) => matmul(a, b, { transA: tA, transB: tB }),
    })),
  ),
  {
    name: 'matmul batched [2,3,4,5] @ [2,3,5,2]',
    inputs: [{ shape: [2, 3, 4, 5] }, { shape: [2, 3, 5, 2] }],
    f: ([a, b]) => matmul(a, b),
  },
  {
    name: 'matmul batched with transB (attention scores)',
    inputs: [{ shape: [2, 4, 3] }, { shape: [2, 4, 3] }],
    f: ([a, b]) => matmul(a, b, { transB: true }),
  },
  {
    name: 'matmul folded [2,3,4] @ W^T (linear layer)',
    inputs: [{ shape: [2, 3, 4] }, { shape: [5, 4] }],
    f: ([a, b]) => matmul(a, b, { transB: true }),
  },
  {
    name: 'matmul transA batched against a shared 2-D b',
    inputs: [{ shape: [2, 4, 3] }, { shape: [4, 5] }],
    f: ([a, b]) => matmul(a, b, { transA: true }),
  },
  { name: 'add same shape', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], f: ([a, b]) => add(a, b) },
  { name: 'add broadcast bias', inputs: [{ shape: [2, 3, 4] }, { shape: [4] }], f: ([a, b]) => add(a, b) },
  { name: 'sub broadcast', inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }], f: ([a, b]) => sub(a, b) },
  { name: 'mul broadcast', inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }], f: ([a, b]) => mul(a, b) },
  { name: 'mul with itself', inputs: [{ shape: [6] }], f: ([a]) => mul(a, a) },
  { name: 'affine', inputs: [{ shape: [7] }], f: ([a]) => affine(a, -0.7, 2) },
  { name: 'relu', inputs: [{ shape: [12] }], f: ([a]) => relu(a) },
  { name: 'gelu', inputs: [{ shape: [12] }], f: ([a]) => gelu(a) },
  { name: 'tanh', inputs: [{ shape: [12] }], f: ([a]) => tanh(a) },
  { name: 'sigmoid', inputs: [{ shape: [12] }], f: ([a]) => sigmoid(a) },
  { name: 'exp', inputs: [{ shape: [12] }], f: ([a]) => exp(a) },
  { name: 'log', inputs: [{ shape: [12], values: positive(12) }], f: ([a]) => log(a) },
  {
    name: 'embedding (repeated ids accumulate)',
    inputs: [{ shape: [5, 3] }],
    f: ([w]) => embedding(w, ids, [2, 3]),
  },
  {
    name: 'layerNorm',
    inputs: [{ shape: [4, 6] }, { shape: [6] }, { shape: [6] }],
    f: ([x, g, b]) => layerNorm(x, g, b),
  },
  { name: 'softmax', inputs: [{ shape: [3, 5] }], f: ([x]) => softmax(x) },
  { name: 'softmax causal', inputs: [{ shape: [2, 4, 4] }], f: ([x]) => softmax(x, { causal: true }) },
  { name: 'crossEntropy', inputs: [{ shape: [6, 5] }], f: ([x]) => crossEntropy(x, targets) },
  {
    name: 'sigmoidBce',
    inputs: [{ shape: [3, 4] }],
    f: ([x], E) => sigmoidBce(x, E.tensor([3, 4], [1, 0, 1, 1, 0, 0, 0.5, 1, 0, 1, 0, 0.25])),
  },
  {
    name: 'sigmoidBceClamped (unsaturated: the plain BCE gradient)',
    inputs: [{ shape: [3, 4] }],
    f: ([x], E) => sigmoidBceClamped(x, E.tensor([3, 4], [1, 0, 1, 1, 0, 0, 0.5, 1, 0, 1, 0, 0.25])),
  },
  { name: 'reshape', inputs: [{ shape: [2, 6] }], f: ([x]) => mul(reshape(x, [3, -1]), reshape(x, [3, 4])) },
  { name: 'permute', inputs: [{ shape: [2, 3, 4, 2] }], f: ([x]) => permute(x, [2, 0, 3, 1]) },
  { name: 'select (view)', inputs: [{ shape: [3, 2, 2] }], f: ([x]) => mul(select(x, 1), select(x, 2)) },
  { name: 'narrow (view)', inputs: [{ shape: [4, 3] }], f: ([x]) => add(narrow(x, 1, 2), narrow(x, 2, 2)) },
  {
    name: 'matmul with a folded scale',
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 5, 4] }],
    f: ([a, b]) => matmul(a, b, { transB: true, alpha: -0.35 }),
  },
  { name: 'transpose', inputs: [{ shape: [3, 2, 5] }], f: ([x]) => transpose(x) },
  { name: 'sum', inputs: [{ shape: [3, 4] }], f: ([x]) => sum(mul(x, x)) },
  { name: 'mean', inputs: [{ shape: [3, 4] }], f: ([x]) => mean(mul(x, x)) },
  { name: 'sumLast', inputs: [{ shape: [3, 4] }], f: ([x]) => sumLast(mul(x, x)) },
  {
    name: 'dropout (same mask every evaluation)',
    inputs: [{ shape: [20] }],
    f: ([x]) => {
      const r = new EngineRandom(11);
      return dropout(x, 0.3, () => r.uniform());
    },
  },
  {
    name: 'conv2d k4 s2 p1 with bias (the VAE encoder)',
    inputs: [{ shape: [2, 2, 6, 6] }, { shape: [3, 2, 4, 4] }, { shape: [3] }],
    f: ([x, w, b]) => conv2d(x, w, b, { stride: 2, padding: 1 }),
  },
  {
    name: 'conv2d k3 s1 p0 without bias',
    inputs: [{ shape: [1, 2, 5, 4] }, { shape: [2, 2, 3, 3] }],
    f: ([x, w]) => conv2d(x, w, null),
  },
  {
    name: 'convTranspose2d k4 s2 p1 with bias (the VAE decoder)',
    inputs: [{ shape: [2, 3, 3, 3] }, { shape: [3, 2, 4, 4] }, { shape: [2] }],
    f: ([x, w, b]) => convTranspose2d(x, w, b, { stride: 2, padding: 1 }),
  },
  {
    name: 'conv2d k3 s2 p1 on odd sizes, one image per column chunk',
    inputs: [{ shape: [3, 2, 7, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }],
    f: ([x, w, b]) => withColumnBudget(1, () => conv2d(x, w, b, { stride: 2, padding: 1 })),
  },
  {
    name: 'conv2d k4 s2 p1, two images per column chunk (3 images: a short last chunk)',
    inputs: [{ shape: [3, 2, 6, 6] }, { shape: [3, 2, 4, 4] }],
    f: ([x, w]) => withColumnBudget(2 * 32 * 9, () => conv2d(x, w, null, { stride: 2, padding: 1 })),
  },
  {
    name: 'convTranspose2d k4 s2 p1, one image per column chunk',
    inputs: [{ shape: [3, 3, 3, 3] }, { shape: [3, 2, 4, 4] }, { shape: [2] }],
    f: ([x, w, b]) => withColumnBudget(1, () => convTranspose2d(x, w, b, { stride: 2, padding: 1 })),
  },
];

/** Runs f with the convolutions' column-matrix budget set to `floats` (forcing several image chunks). */
function withColumnBudget<T>(floats: number, f: () => T): T {
  const saved = convChunk.maxColumnFloats;
  convChunk.maxColumnFloats = floats;
  try {
    return f();
  } finally {
    convChunk.maxColumnFloats = saved;
  }
}

describe.each(backendCases())('op gradients on the $name backend', (bc) => {
  it.skipIf(!bc.backend).each(CASES)('$name matches finite differences', (c) => {
    const E = engineFor(bc);
    const r = gradCheck(E, c.inputs, (xs) => c.f(xs, E), c.options);
    expect(r.nonZero).toBeGreaterThan(0);
    expect(r.worst, `worst scaled error over ${r.checked} coordinates`).toBeLessThan(5e-3);
  });
});

describe.each(backendCases())('op values on the $name backend', (bc) => {
  it.skipIf(!bc.backend)('match hand-computed results', () => {
    const E = engineFor(bc);
    E.tidy(() => {
      const a = E.tensor([2, 2], [1, 2, 3, 4]);
      const b = E.tensor([2, 2], [5, 6, 7, 8]);
      expect(matmul(a, b).toArray()).toEqual([19, 22, 43, 50]);
      expect(matmul(a, b, { transA: true, transB: true }).toArray()).toEqual([23, 31, 34, 46]);
      const s = softmax(E.tensor([1, 3], [0, Math.log(2), Math.log(5)])).toArray();
      expect(s.map((v) => +v.toFixed(6))).toEqual([0.125, 0.25, 0.625]);
      const causal = softmax(E.tensor([2, 2], [5, -7, 1, 1]), { causal: true }).toArray();
      expect(causal).toEqual([1, 0, 0.5, 0.5]);
      // cross-entropy of uniform logits over 4 classes is log 4
      expect(crossEntropy(E.tensor([2, 4]), Int32Array.from([0, 3])).item()).toBeCloseTo(Math.log(4), 6);
      // a 1x1 "convolution" with weight 2 and bias 1 doubles and shifts
      const x = E.tensor([1, 1, 2, 2], [1, 2, 3, 4]);
      expect(conv2d(x, E.tensor([1, 1, 1, 1], [2]), E.tensor([1], [1])).toArray()).toEqual([3, 5, 7, 9]);
      // transposed conv k2 s2 of a single pixel stamps the kernel
      const stamp = convTranspose2d(E.tensor([1, 1, 1, 1], [3]), E.tensor([1, 1, 2, 2], [1, 2, 3, 4]), null, {
        stride: 2,
      });
      expect(stamp.toArray()).toEqual([3, 6, 9, 12]);
      const ln = layerNorm(E.tensor([1, 2], [1, 3]), E.tensor([2], [1, 1]), E.tensor([2], [0, 0]), 0).toArray();
      expect(ln).toEqual([-1, 1]);
    });
  });

  it.skipIf(!bc.backend)("clamps BCE's logs at -100 and stops the gradient at saturation, as PyTorch does", () => {
    const E = engineFor(bc);
    // x = 0, t = 0.5: ln 2, gradient 0. x = 20, t = 0: p is 1 in float32, so -log(1 - p) clamps to 100 and the
    // gradient is 0 (the stable form says 20 and 1). x = -200, t = 1: p = 0, loss 100, gradient 0 (stable: 200, -1).
    // x = 2, t = 1: log1p(e^-2), gradient sigmoid(2) - 1.
    const x = E.param([4], [0, 20, -200, 2]);
    const loss = sigmoidBceClamped(x, E.tensor([4], [0.5, 0, 1, 1]));
    const expected = Math.LN2 + 100 + 100 + Math.log1p(Math.exp(-2));
    expect(loss.item()).toBeCloseTo(expected, 4);
    E.backward(loss);
    const g = Array.from(x.grad!);
    expect(g[0]).toBeCloseTo(0, 6);
    expect(Math.abs(g[1])).toBeLessThan(1e-6);
    expect(Math.abs(g[2])).toBeLessThan(1e-6);
    expect(g[3]).toBeCloseTo(1 / (1 + Math.exp(-2)) - 1, 5);
    // the stable form, for contrast: unbounded loss and a full gradient at the saturated elements
    x.zeroGrad();
    const stable = sigmoidBce(x, E.tensor([4], [0.5, 0, 1, 1]));
    expect(stable.item()).toBeCloseTo(Math.LN2 + 20 + 200 + Math.log1p(Math.exp(-2)), 3);
  });

  it.skipIf(!bc.backend)('reuses buffers across tidy scopes instead of allocating', () => {
    const E = engineFor(bc);
    const w = E.param([8, 8]);
    const step = () =>
      E.tidy(() => {
        const x = E.tensor([4, 8]);
        const h = matmul(x, w);
        const r = relu(h);
        const loss = sum(r);
        E.backward(loss);
        return new Set([x.data, h.data, r.data, h.grad, r.grad]);
      });
    const first = step();
    const second = step();
    // the scope released its buffers, the next identical step got the same ones back
    expect(first.size).toBe(5);
    expect([...second].every((b) => first.has(b))).toBe(true);
  });
});
