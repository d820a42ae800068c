/**
 * The tiny-GPT learning task of the engine tests: token t is followed by (t + 3) mod 8, each row starting at a
 * different phase, so the map must be learned. Self-contained (the browser test ships its source text to a
 * page), so it reaches the engine only through `m`.
 */

import type { Backend } from '../backend.js';
import type * as EngineModule from '../browser.js';

/** `steps` AdamW steps (lr 1e-2, weight decay 0.01, clipping at 1) on `backend`; returns each step's loss. */
export function trainPeriodic(m: typeof EngineModule, backend: Backend, steps: number): number[] {
  const E = new m.Engine(backend);
  const vocab = 8;
  const T = 8;
  const B = 4;
  const model = new m.TinyGpt(E, { vocab, dModel: 16, layers: 1, heads: 2, context: T }, 1);
  const params = Object.values(model.params());
  const opt = new m.Adam(params, { lr: 1e-2, weightDecay: 0.01 });
  const ids = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = (b + 3 * t) % vocab;
      targets[b * T + t] = (b + 3 * t + 3) % vocab;
    }
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    losses.push(
      E.tidy(() => {
        const loss = model.loss(ids, targets, B);
        E.backward(loss);
        return loss.item();
      }),
    );
    m.clipGradNorm(params, 1);
    opt.step();
  }
  return losses;
}
