/**
 * Rotary position embedding (Su et al. 2021, GPT-NeoX's half-split layout): channel pairs (i, i + d/2) of each
 * head are rotated by the angle p · 10000^(−2i/d) of their position p, so the query–key product depends on the
 * positions only through their difference. The backward pass is the inverse rotation.
 */
import type { Tensor } from '../../engine/index.js';

const BASE = 10_000;

/** cos and sin of every (position, frequency) for positions [start, start + count), head size dh. */
export function rotaryTable(start: number, count: number, dh: number): { cos: Float32Array; sin: Float32Array } {
  const half = dh / 2;
  const cos = new Float32Array(count * half);
  const sin = new Float32Array(count * half);
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < half; i++) {
      const angle = (start + t) * BASE ** ((-2 * i) / dh);
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** Rotates rows of x [rows, dh] in place-free form into out; row r is at table position r mod positions. */
function rotate(
  x: Float32Array,
  out: Float32Array,
  dh: number,
  positions: number,
  cos: Float32Array,
  sin: Float32Array,
  sign: number,
  accumulate: boolean,
): void {
  const half = dh / 2;
  const rows = x.length / dh;
  for (let r = 0; r < rows; r++) {
    const t = (r % positions) * half;
    const o = r * dh;
    for (let i = 0; i < half; i++) {
      const c = cos[t + i];
      const s = sign * sin[t + i];
      const a = x[o + i];
      const b = x[o + half + i];
      const ya = a * c - b * s;
      const yb = a * s + b * c;
      if (accumulate) {
        out[o + i] += ya;
        out[o + half + i] += yb;
      } else {
        out[o + i] = ya;
        out[o + half + i] = yb;
      }
    }
  }
}

/** x [..., T, dh] with position `start + t` applied to row t (a differentiable op). */
export function applyRotary(x: Tensor, start = 0): Tensor {
  const dh = x.shape[x.rank - 1];
  const T = x.shape[x.rank - 2];
  if (dh % 2 !== 0) throw new Error(`gpt: rotary positions need an even head size, got ${dh}`);
  const { cos, sin } = rotaryTable(start, T, dh);
  const E = x.engine;
  const out = E.result(x.shape, [x], true);
  rotate(x.data, out.data, dh, T, cos, sin, 1, false);
  if (out.requiresGrad) out.backwardFn = () => rotate(out.grad!, x.gradBuffer(), dh, T, cos, sin, -1, true);
  return out;
}
