/**
 * The engine's own small seeded generator (splitmix32 + Box-Muller) for initialisation, dropout masks and the
 * VAE's noise. The engine stays independent of the lab: callers that need derived streams pass a seed.
 */
import { cos, log, sin } from '../numeric/libm.js';
export class EngineRandom {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits. */
  uniform(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * log(u));
    this.spare = r * sin(2 * Math.PI * v);
    return r * cos(2 * Math.PI * v);
  }

  fillUniform(out: Float32Array, lo: number, hi: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  fillNormal(out: Float32Array, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = std * this.normal();
    return out;
  }
}
