/** Views, permutations and reductions. */
import { type Shape, sizeOf, type Tensor } from '../tensor.js';

/** The same buffer under another shape; one dimension may be -1 (inferred). */
export function reshape(a: Tensor, shape: Shape): Tensor {
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  if (inferred > 1) throw new Error('engine: reshape allows one -1');
  const rest = sizeOf(known);
  const full = inferred === 1 ? shape.map((d) => (d === -1 ? a.size / rest : d)) : [...shape];
  if (sizeOf(full) !== a.size) throw new Error(`engine: cannot reshape [${a.shape}] to [${shape}]`);
  return a.engine.view(a, full);
}

/** Dimensions reordered (a copy: attention's head split needs contiguous blocks for batched GEMM). */
export function permute(a: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== a.rank || [...perm].sort((x, y) => x - y).some((p, i) => p !== i))
    throw new Error(`engine: bad permutation [${perm}] for rank ${a.rank}`);
  const out = a.engine.result(
    perm.map((p) => a.shape[p]),
    [a],
    true,
  );
  const be = a.engine.backend;
  be.permute(a.data, a.shape, perm, out.data, false);
  if (out.requiresGrad) out.backwardFn = () => be.permute(a.gradBuffer(), a.shape, perm, out.grad!, true);
  return out;
}

/** Swaps the last two dimensions (a copy). */
export function transpose(a: Tensor): Tensor {
  const perm = a.shape.map((_, i) => i);
  perm[a.rank - 1] = a.rank - 2;
  perm[a.rank - 2] = a.rank - 1;
  return permute(a, perm);
}

/** Sum of all elements (accumulated in float64). */
export function sum(a: Tensor): Tensor {
  return scaledSum(a, 1);
}

/** Mean of all elements. */
export function mean(a: Tensor): Tensor {
  return scaledSum(a, 1 / a.size);
}

function scaledSum(a: Tensor, s: number): Tensor {
  const out = a.engine.result([], [a]);
  let acc = 0;
  const x = a.data;
  for (let i = 0; i < a.size; i++) acc += x[i];
  out.data[0] = s * acc;
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = s * out.grad![0];
      const ga = a.gradBuffer();
      for (let i = 0; i < a.size; i++) ga[i] += g;
    };
  }
  return out;
}

/** Sum over the last dimension: [..., n] -> [...]. */
export function sumLast(a: Tensor): Tensor {
  const n = a.shape[a.rank - 1];
  const rows = a.size / n;
  const out = a.engine.result(a.shape.slice(0, -1), [a]);
  const x = a.data;
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += x[r * n + j];
    out.data[r] = acc;
  }
  if (out.requiresGrad) {
    out.backwardFn = () => {
      const g = out.grad!;
      const ga = a.gradBuffer();
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) ga[r * n + j] += g[r];
    };
  }
  return out;
}

/** x[start .. start+count) along the first dimension, as a view (no copy). */
export function narrow(a: Tensor, start: number, count: number): Tensor {
  return rowsView(a, start, count, [count, ...a.shape.slice(1)]);
}

/** x[index] along the first dimension, as a view (no copy): splits attention's stacked q, k, v. */
export function select(a: Tensor, index: number): Tensor {
  return rowsView(a, index, 1, a.shape.slice(1));
}

function rowsView(a: Tensor, start: number, count: number, shape: Shape): Tensor {
  const n = a.shape[0];
  if (!(start >= 0 && count >= 1 && start + count <= n))
    throw new Error(`engine: rows [${start}, ${start + count}) outside [0, ${n})`);
  return a.engine.view(a, shape, start * (a.size / n));
}
