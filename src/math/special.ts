/** Special functions the closed forms need: log-gamma, digamma and trigamma. */
import { log } from '../numeric/libm.js';

/** ψ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series. */
export function digamma(x: number): number {
  let r = 0;
  while (x < 10) r -= 1 / x++;
  const f = 1 / (x * x);
  return r + log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** ψ′(x) for x > 0, the same way. */
export function trigamma(x: number): number {
  let r = 0;
  while (x < 10) r += 1 / (x * x++);
  const f = 1 / (x * x);
  return r + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)));
}

/** ln Γ(x) for x > 0: recurrence up to x ≥ 10, then Stirling's series (error < 1e-15 there). */
export function lgamma(x: number): number {
  let r = 0;
  while (x < 10) r -= log(x++);
  const f = 1 / (x * x);
  const series = (1 / x) * (1 / 12 - f * (1 / 360 - f * (1 / 1260 - f * (1 / 1680 - f / 1188))));
  return r + (x - 0.5) * log(x) - x + 0.5 * log(2 * Math.PI) + series;
}
