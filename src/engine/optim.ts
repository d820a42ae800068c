/** Adam / AdamW and global gradient-norm clipping. Optimizer state lives in backend memory beside the params. */

import { pow } from '../numeric/libm.js';
import type { Tensor } from './tensor.js';

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /**
   * true (AdamW, Loshchilov & Hutter): decay the weights directly; false (PyTorch's Adam): add
   * weightDecay * w to the gradient, so the decay passes through the adaptive scaling.
   */
  decoupled?: boolean;
}

export interface AdamState {
  readonly steps: number;
  readonly m: readonly Float32Array[];
  readonly v: readonly Float32Array[];
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  private steps = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(
    readonly params: readonly Tensor[],
    options: AdamOptions = {},
  ) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.decoupled = options.decoupled ?? true;
    this.m = params.map((p) => p.engine.backend.alloc(p.size));
    this.v = params.map((p) => p.engine.backend.alloc(p.size));
  }

  /** Returns the moment buffers to the backend; the optimizer must not step afterwards. */
  dispose(): void {
    this.params.forEach((p, idx) => {
      p.engine.backend.free(this.m[idx]);
      p.engine.backend.free(this.v[idx]);
    });
    this.m.length = 0;
    this.v.length = 0;
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** The step count and moment estimates (copies), to save a training mid-way. */
  state(): AdamState {
    return { steps: this.steps, m: this.m.map((a) => a.slice()), v: this.v.map((a) => a.slice()) };
  }

  /** Continues from `state()`: the next step is the one the saved optimizer would have taken. */
  restore(state: AdamState): void {
    if (state.m.length !== this.m.length || state.m.some((a, i) => a.length !== this.m[i].length))
      throw new RangeError('Adam.restore: the saved moments do not match these parameters');
    this.steps = state.steps;
    for (const [i, a] of state.m.entries()) this.m[i].set(a);
    for (const [i, a] of state.v.entries()) this.v[i].set(a);
  }

  step(): void {
    this.steps++;
    const { beta1: b1, beta2: b2, eps, lr, weightDecay: wd } = this;
    const c1 = 1 - pow(b1, this.steps);
    const c2 = 1 - pow(b2, this.steps);
    const stepSize = lr / c1;
    const rootC2 = Math.sqrt(c2);
    const l2 = this.decoupled ? 0 : wd;
    const shrink = this.decoupled ? 1 - lr * wd : 1;
    const constants = { beta1: b1, beta2: b2, stepSize, rootC2, eps, l2, shrink };
    this.params.forEach((p, idx) => {
      p.engine.backend.adamStep(p.data, p.grad!, this.m[idx], this.v[idx], constants);
    });
  }
}

/** Scales all gradients so that their joint L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  let total = 0;
  for (const p of params) {
    const g = p.grad;
    if (!g) continue;
    for (let i = 0; i < g.length; i++) total += g[i] * g[i];
  }
  const norm = Math.sqrt(total);
  if (norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (const p of params) {
      const g = p.grad;
      if (g) for (let i = 0; i < g.length; i++) g[i] *= s;
    }
  }
  return norm;
}
