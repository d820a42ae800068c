/**
 * Finite-difference gradient checks. The checked function's output is contracted with a fixed random tensor
 * R (loss = sum(out * R)), so every output element contributes; central differences are taken on up to
 * `samples` coordinates of each input, with the loss summed in float64.
 */
import { EngineRandom } from '../random.js';
import type { Engine, Tensor } from '../tensor.js';

export interface GradInput {
  shape: number[];
  /** Values; default: uniform in [-1, 1] with |x| >= 0.1 (away from ReLU's kink). */
  values?: Float32Array;
}

export interface GradCheckOptions {
  eps?: number;
  /** Allowed |numeric - analytic| relative to max(1, largest |analytic| of that input). */
  tolerance?: number;
  samples?: number;
  seed?: number;
}

export interface GradCheckResult {
  /** Worst scaled error over all checked coordinates. */
  worst: number;
  /** How many coordinates had a non-zero analytic gradient (guards against a check that sees only zeros). */
  nonZero: number;
  checked: number;
}

export function awayFromZero(n: number, rng: EngineRandom, lo = 0.1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.uniform() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng.uniform());
  return out;
}

export function gradCheck(
  E: Engine,
  inputs: GradInput[],
  f: (xs: Tensor[]) => Tensor,
  options: GradCheckOptions = {},
): GradCheckResult {
  const eps = options.eps ?? 1e-2;
  const samples = options.samples ?? 24;
  const rng = new EngineRandom(options.seed ?? 7);
  const params = inputs.map((inp) => {
    const n = inp.shape.reduce((a, b) => a * b, 1);
    return E.param(inp.shape, inp.values ?? awayFromZero(n, rng));
  });
  let weights: Float64Array | null = null;
  const lossOf = (): number =>
    E.tidy(() => {
      const out = f(params);
      weights ??= Float64Array.from({ length: out.size }, () => rng.uniform() * 2 - 1);
      let s = 0;
      for (let i = 0; i < out.size; i++) s += out.data[i] * weights[i];
      return s;
    });
  lossOf();
  E.tidy(() => {
    const out = f(params);
    const w = E.tensor(out.shape, Float32Array.from(weights!));
    // d(sum(out * w))/d(out) = w: seed out's gradient directly, then run the tape.
    const probe = sumOfProduct(out, w);
    E.backward(probe);
  });
  const named = Object.fromEntries(params.map((p, i) => [`input${i}`, p]));
  const { worst, nonZero, checked } = compareWithCentralDifferences(named, lossOf, eps, samples, rng);
  return { worst, nonZero, checked };
}

function pick(n: number, k: number, rng: EngineRandom): number[] {
  const set = new Set<number>();
  while (set.size < k) set.add(Math.floor(rng.uniform() * n));
  return [...set];
}

/** sum(a * w) as one op of the tape, without depending on the ops under test. */
function sumOfProduct(a: Tensor, w: Tensor): Tensor {
  const out = a.engine.result([], [a]);
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i] * w.data[i];
  out.data[0] = s;
  out.backwardFn = () => {
    const g = out.grad![0];
    const ga = a.gradBuffer();
    for (let i = 0; i < a.size; i++) ga[i] += g * w.data[i];
  };
  return out;
}

/**
 * Whole-model check: central differences of a scalar loss against backprop on `samples` coordinates of each
 * named parameter. The loss must be deterministic (fix the noise inside lossFn).
 */
export function gradCheckModel(
  E: Engine,
  params: Record<string, Tensor>,
  lossFn: () => Tensor,
  options: GradCheckOptions = {},
): GradCheckResult & { worstParam: string } {
  const eps = options.eps ?? 1e-2;
  const samples = options.samples ?? 6;
  const rng = new EngineRandom(options.seed ?? 5);
  const lossValue = (): number => E.tidy(() => lossFn().item());
  for (const p of Object.values(params)) p.zeroGrad();
  E.tidy(() => E.backward(lossFn()));
  return compareWithCentralDifferences(params, lossValue, eps, samples, rng);
}

/**
 * Compares each parameter's backprop gradient (already in p.grad) with central differences of lossOf on up to
 * `samples` coordinates; errors are scaled by max(1, largest |analytic| of that parameter).
 */
function compareWithCentralDifferences(
  params: Record<string, Tensor>,
  lossOf: () => number,
  eps: number,
  samples: number,
  rng: EngineRandom,
): GradCheckResult & { worstParam: string } {
  let worst = 0;
  let worstParam = '';
  let nonZero = 0;
  let checked = 0;
  for (const [name, p] of Object.entries(params)) {
    const grad = Float32Array.from(p.grad!);
    const scale = Math.max(1, ...Array.from(grad, Math.abs));
    const picks = p.size <= samples ? [...Array(p.size).keys()] : pick(p.size, samples, rng);
    for (const i of picks) {
      const x0 = p.data[i];
      p.data[i] = x0 + eps;
      const up = lossOf();
      p.data[i] = x0 - eps;
      const down = lossOf();
      p.data[i] = x0;
      const err = Math.abs((up - down) / (2 * eps) - grad[i]) / scale;
      if (err > worst) {
        worst = err;
        worstParam = `${name}[${i}]`;
      }
      if (grad[i] !== 0) nonZero++;
      checked++;
    }
  }
  return { worst, worstParam, nonZero, checked };
}
