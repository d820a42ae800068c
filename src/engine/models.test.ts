import { describe, expect, it } from 'vitest';
import * as engine from './browser.js';
import { JsBackend } from './js-backend.js';
import { ConvVae } from './models/conv-vae.js';
import { MlpVae } from './models/mlp-vae.js';
import { REFERENCE_GPT, TinyGpt } from './models/tinygpt.js';
import { Adam, clipGradNorm } from './optim.js';
import { loadParams, saveParams } from './params.js';
import { EngineRandom } from './random.js';
import { Engine } from './tensor.js';
import { backendCases, engineFor } from './test-helpers/backends.js';
import { gradCheckModel } from './test-helpers/gradcheck.js';
import { trainPeriodic } from './test-helpers/periodic.js';

function countParams(params: Record<string, { size: number }>): number {
  return Object.values(params).reduce((a, p) => a + p.size, 0);
}

describe('reference model sizes', () => {
  const E = new Engine(new JsBackend());
  it('conv VAE has 647,081 parameters, as in the paper', () => {
    expect(countParams(new ConvVae(E).params())).toBe(647_081);
  });
  it('MLP VAE 784-400-20 has 652,824 parameters, as PyTorch counts it', () => {
    expect(countParams(new MlpVae(E).params())).toBe(652_824);
  });
  it('tiny GPT has as many parameters as the PyTorch reference', () => {
    // wte 4096*128 + wpe 64*128 + 2 * (2 LN * 256 + qkv 3*128*128 + proj 128*128 + fc 4*128*128 * 2) + LN 256
    expect(countParams(new TinyGpt(E, REFERENCE_GPT).params())).toBe(524_288 + 8_192 + 2 * (512 + 196_608) + 256);
  });
});

describe.each(backendCases())('whole-model gradients on the $name backend', (bc) => {
  it.skipIf(!bc.backend)('tiny GPT matches finite differences', () => {
    const E = engineFor(bc);
    const model = new TinyGpt(E, { vocab: 11, dModel: 8, layers: 2, heads: 2, context: 5 }, 3);
    // Larger embeddings than the 0.02 default so every path carries a measurable gradient.
    new EngineRandom(9).fillNormal(model.wte.data, 0.5);
    const ids = Int32Array.from([1, 4, 2, 9, 0, 3, 3, 7, 10, 5]);
    const targets = Int32Array.from([4, 2, 9, 0, 6, 3, 7, 10, 5, 1]);
    const r = gradCheckModel(E, model.params(), () => model.loss(ids, targets, 2), { eps: 1e-3 });
    expect(r.nonZero).toBeGreaterThan(r.checked / 2);
    expect(r.worst, r.worstParam).toBeLessThan(5e-3);
  });

  it.skipIf(!bc.backend)('MLP VAE matches finite differences', () => {
    const E = engineFor(bc);
    const model = new MlpVae(E, { input: 12, hidden: 7, latent: 3 }, 1);
    const xs = new EngineRandom(2).fillUniform(new Float32Array(4 * 12), 0, 1);
    const r = gradCheckModel(E, model.params(), () => model.loss(E.tensor([4, 12], xs), new EngineRandom(4)));
    expect(r.nonZero).toBeGreaterThan(r.checked / 2);
    expect(r.worst, r.worstParam).toBeLessThan(5e-3);
  });

  it.skipIf(!bc.backend)('conv VAE matches finite differences', () => {
    const E = engineFor(bc);
    const model = new ConvVae(E, { image: 8, capacity: 2, latent: 3 }, 1);
    const xs = new EngineRandom(2).fillUniform(new Float32Array(2 * 64), 0, 1);
    const r = gradCheckModel(E, model.params(), () => model.loss(E.tensor([2, 1, 8, 8], xs), new EngineRandom(4)), {
      eps: 1e-3,
    });
    expect(r.nonZero).toBeGreaterThan(r.checked / 2);
    expect(r.worst, r.worstParam).toBeLessThan(1e-2); // the summed loss is stored in float32: FD noise ~ |loss| 2^-24 / eps
  });

  it.skipIf(!bc.backend)('a tiny GPT learns a periodic sequence: loss falls from ln(vocab) to near 0', () => {
    const losses = trainPeriodic(engine, bc.backend!, 150);
    const vocab = 8;
    expect(losses[0]).toBeCloseTo(Math.log(vocab), 1); // small init: near-uniform predictions
    expect(losses[losses.length - 1]).toBeLessThan(0.05);
  });
});

describe('Adam, clipping and parameter files', () => {
  it('one Adam step moves each weight by lr against its gradient sign (bias-corrected)', () => {
    const E = new Engine(new JsBackend());
    const w = E.param([3], [1, -2, 0.5]);
    w.grad!.set([0.3, -4, 0]);
    new Adam([w], { lr: 0.1 }).step();
    // m_hat = g, v_hat = g^2 after one step, so the update is lr * g / (|g| + eps) = lr * sign(g)
    expect(Array.from(w.data).map((v) => +v.toFixed(5))).toEqual([0.9, -1.9, 0.5]);
  });

  it('AdamW decays weights directly; Adam with weight decay adds it to the gradient', () => {
    const E = new Engine(new JsBackend());
    const a = E.param([1], [2]);
    const b = E.param([1], [2]);
    new Adam([a], { lr: 0.1, weightDecay: 0.5, decoupled: true }).step(); // zero grad: only decay
    new Adam([b], { lr: 0.1, weightDecay: 0.5, decoupled: false }).step(); // grad becomes 1: a full lr step
    expect(a.data[0]).toBeCloseTo(2 * (1 - 0.05), 6);
    expect(b.data[0]).toBeCloseTo(1.9, 5);
  });

  it('clipGradNorm rescales to the limit and reports the norm before', () => {
    const E = new Engine(new JsBackend());
    const a = E.param([2]);
    const b = E.param([1]);
    a.grad!.set([3, 0]);
    b.grad!.set([4]);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(Math.hypot(a.grad![0], a.grad![1], b.grad![0])).toBeCloseTo(1, 5);
  });

  it('saves and loads parameters exactly, and refuses a file for another model', () => {
    const E = new Engine(new JsBackend());
    const source = new MlpVae(E, { input: 6, hidden: 5, latent: 2 }, 1);
    const target = new MlpVae(E, { input: 6, hidden: 5, latent: 2 }, 2);
    const bytes = saveParams(source.params());
    loadParams(bytes, target.params());
    for (const [k, p] of Object.entries(source.params()))
      expect(Array.from(target.params()[k].data)).toEqual(Array.from(p.data));
    const other = new MlpVae(E, { input: 6, hidden: 4, latent: 2 }, 1);
    expect(() => loadParams(bytes, other.params())).toThrow(/fc1.weight has shape \[5,6\]/);
  });
});
