import { describe, expect, it } from 'vitest';
import { createEngine, crossEntropy, EngineRandom, reshape } from '../../engine/index.js';
import { gradCheckModel } from '../../engine/test-helpers/gradcheck.js';
import { GptNet, type GptSpec, KvCache } from './net.js';
import { GptSession } from './session.js';

const { engine: E } = createEngine('auto');

function net(positions: GptSpec['positions'], seed = 1): GptNet {
  const n = new GptNet(E, { vocab: 13, dModel: 16, layers: 2, heads: 2, context: 12, positions }, seed);
  // Larger weights than the 0.02 initialisation, so that attention is far from uniform and positions matter.
  const rng = new EngineRandom(seed + 7);
  rng.fillNormal(n.wte.data, 0.7);
  if (n.wpe) rng.fillNormal(n.wpe.data, 0.7);
  return n;
}

describe.each(['learned', 'rotary'] as const)('the gpt network with %s positions', (positions) => {
  it('gives the same logits with the KV cache, step by step, as a full uncached pass', () => {
    const model = net(positions);
    const rows = 3;
    const seq = [
      [12, 3, 5, 7, 1, 0, 2, 2, 9, 4, 11],
      [12, 8, 8, 1, 6, 10, 3, 3, 0, 5, 5],
      [12, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    ];
    const prompt = 4;
    const cache = new KvCache(model, rows, 11);
    const prefill = Int32Array.from(seq.flatMap((s) => s.slice(0, prompt)));
    const steps = [E.tidy(() => model.extend(cache, prefill).toArray())];
    for (let t = prompt; t < 11; t++)
      steps.push(E.tidy(() => model.extend(cache, Int32Array.from(seq.map((s) => s[t]))).toArray()));
    cache.dispose();
    let worst = 0;
    for (let t = prompt; t <= 11; t++) {
      const ids = Int32Array.from(seq.flatMap((s) => s.slice(0, t)));
      const full = E.tidy(() => model.logits(ids, rows).toArray());
      const cached = steps[t - prompt];
      for (let r = 0; r < rows; r++)
        for (let v = 0; v < 13; v++)
          worst = Math.max(worst, Math.abs(full[(r * t + t - 1) * 13 + v] - cached[r * 13 + v]));
    }
    expect(worst).toBeLessThan(2e-5);
    // And the logits depend on the history (a cache that ignored it would match nothing above, but make sure).
    const a = E.tidy(() =>
      model
        .logits(Int32Array.of(12, 3, 5), 1)
        .toArray()
        .slice(26),
    );
    const b = E.tidy(() =>
      model
        .logits(Int32Array.of(12, 4, 5), 1)
        .toArray()
        .slice(26),
    );
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeGreaterThan(1e-3);
  });

  it('matches finite-difference gradients', () => {
    const model = net(positions, 3);
    const ids = Int32Array.from([12, 4, 2, 9, 0, 12, 3, 7, 10, 5]);
    const targets = Int32Array.from([4, 2, 9, 0, 6, 3, 7, 10, 5, 1]);
    const r = gradCheckModel(E, model.params(), () => crossEntropy(reshape(model.logits(ids, 2), [-1, 13]), targets), {
      eps: 1e-3,
    });
    expect(r.nonZero).toBeGreaterThan(r.checked / 2);
    expect(r.worst, r.worstParam).toBeLessThan(5e-3);
  });

  it("a beam session's copied prompt rows give their prompt's log-probabilities", () => {
    const model = net(positions);
    const prompts = [Int32Array.of(12, 1, 2), Int32Array.of(12, 5, 6)];
    const single = new GptSession(model, prompts, 1, 2);
    const beams = new GptSession(model, prompts, 3, 2);
    const V = 12;
    for (let r = 0; r < 6; r++) {
      const p = Math.floor(r / 3);
      expect(Array.from(beams.logProbs().subarray(r * V, (r + 1) * V))).toEqual(
        Array.from(single.logProbs().subarray(p * V, (p + 1) * V)),
      );
    }
    // Row order after a reorder: row 0 takes prompt 1's state.
    beams.reorder(Int32Array.of(3, 1, 2, 3, 4, 5));
    beams.advance(Int32Array.of(7, 7, 7, 7, 7, 7));
    const after = beams.logProbs();
    expect(Array.from(after.subarray(0, V))).toEqual(Array.from(after.subarray(3 * V, 4 * V)));
    single.dispose();
    beams.dispose();
  });
});
