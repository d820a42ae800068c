/**
 * Tensors and the reverse-mode tape. A tensor is a shape over a float32 buffer from the engine's backend; an
 * op's result remembers its parents and a closure that pushes its gradient back into theirs. `backward` walks
 * the graph once in reverse topological order.
 *
 * Memory: inside `engine.tidy(fn)` every tensor made by an op is recorded and, when fn returns, its buffers go
 * back to the backend's pool. A training step therefore reuses the previous step's buffers instead of
 * allocating, which keeps WebAssembly memory flat and the garbage collector idle. Parameters live outside.
 */
import type { Backend } from './backend.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`engine: bad dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export class Tensor {
  readonly size: number;
  grad: Float32Array | null = null;
  /** Pushes this tensor's gradient into its parents'; null for leaves and for results needing no gradient. */
  backwardFn: (() => void) | null = null;
  /**
   * Views share their parent's gradient storage (the same elements, at an offset), so backprop through a
   * reshape or a slice costs nothing: whatever accumulates into the view's gradient lands in the parent's.
   */
  gradAlias: { parent: Tensor; offset: number } | null = null;

  constructor(
    readonly engine: Engine,
    readonly shape: Shape,
    public data: Float32Array,
    readonly requiresGrad: boolean,
    readonly parents: readonly Tensor[],
    /** False for views (reshape), which borrow their parent's buffer and must not free it. */
    readonly ownsData: boolean,
    /** Parameters and other long-lived tensors are never freed by `tidy`. */
    readonly persistent: boolean,
  ) {
    this.size = data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`engine: item() on a tensor of shape [${this.shape.join(', ')}]`);
    return this.data[0];
  }

  /** The gradient buffer, allocated (zeroed) on first use. */
  gradBuffer(): Float32Array {
    if (!this.grad) {
      const alias = this.gradAlias;
      this.grad = alias
        ? alias.parent.gradBuffer().subarray(alias.offset, alias.offset + this.size)
        : this.engine.backend.alloc(this.size);
    }
    return this.grad;
  }

  /**
   * The gradient buffer for an op about to write all of it: if no gradient has reached this tensor yet (nor,
   * for a view covering its whole parent, the parent), the buffer is allocated without zeroing and `fresh` is
   * true, and the caller must overwrite every element instead of accumulating. Saves a zero-fill and a read
   * of the largest gradients (the logits').
   */
  gradForOverwrite(): { grad: Float32Array; fresh: boolean } {
    if (this.grad) return { grad: this.grad, fresh: false };
    const alias = this.gradAlias;
    if (!alias) {
      this.grad = this.engine.backend.alloc(this.size, false);
      return { grad: this.grad, fresh: true };
    }
    if (alias.offset === 0 && alias.parent.size === this.size) {
      const { grad, fresh } = alias.parent.gradForOverwrite();
      this.grad = grad;
      return { grad, fresh };
    }
    return { grad: this.gradBuffer(), fresh: false };
  }

  /** Sets the gradient to zero (parameters between steps). */
  zeroGrad(): void {
    this.grad?.fill(0);
  }

  toArray(): number[] {
    return Array.from(this.data);
  }
}

export class Engine {
  private readonly scopes: Tensor[][] = [];
  /** Extra buffers (saved activations, masks) owned by the current scope. */
  private readonly scratchScopes: Float32Array[][] = [];

  constructor(readonly backend: Backend) {}

  /** A constant tensor (no gradient), e.g. a batch of inputs. Freed by the enclosing `tidy`, if any. */
  tensor(shape: Shape, values?: ArrayLike<number>): Tensor {
    const data = this.backend.alloc(sizeOf(shape));
    if (values) {
      if (values.length !== data.length)
        throw new Error(`engine: ${values.length} values for shape [${shape.join(', ')}]`);
      data.set(values);
    }
    return this.track(new Tensor(this, [...shape], data, false, [], true, false));
  }

  /** A trainable parameter: persistent, with a persistent gradient buffer. */
  param(shape: Shape, values?: ArrayLike<number>): Tensor {
    const data = this.backend.alloc(sizeOf(shape));
    if (values) {
      if (values.length !== data.length)
        throw new Error(`engine: ${values.length} values for parameter of shape [${shape.join(', ')}]`);
      data.set(values);
    }
    const t = new Tensor(this, [...shape], data, true, [], true, true);
    t.gradBuffer();
    return t;
  }

  /**
   * The result of an op, tracked by the current scope. Its buffer is zeroed unless `overwrite` says the op
   * writes every element itself.
   */
  result(shape: Shape, parents: readonly Tensor[], overwrite = false): Tensor {
    const data = this.backend.alloc(sizeOf(shape), !overwrite);
    const needsGrad = parents.some((p) => p.requiresGrad);
    return this.track(new Tensor(this, [...shape], data, needsGrad, parents, true, false));
  }

  /**
   * A view over a contiguous part of a parent's buffer (same size for a reshape, a slice along the first
   * dimension otherwise). Its gradient is the matching part of the parent's gradient, so it needs no backward.
   */
  view(parent: Tensor, shape: Shape, offset = 0): Tensor {
    const data = parent.data.subarray(offset, offset + sizeOf(shape));
    const t = new Tensor(this, [...shape], data, parent.requiresGrad, [parent], false, false);
    if (parent.requiresGrad) t.gradAlias = { parent, offset };
    return this.track(t);
  }

  /** A working buffer freed with the current scope (saved statistics, dropout masks, im2col columns). */
  scratch(n: number, zero = true): Float32Array {
    const buffer = this.backend.alloc(n, zero);
    const scope = this.scratchScopes[this.scratchScopes.length - 1];
    if (scope) scope.push(buffer);
    return buffer;
  }

  /** Runs fn and frees every tensor and scratch buffer it made; fn's result must not be one of them. */
  tidy<T>(fn: () => T): T {
    this.scopes.push([]);
    this.scratchScopes.push([]);
    try {
      return fn();
    } finally {
      const made = this.scopes.pop()!;
      const scratch = this.scratchScopes.pop()!;
      for (const t of made) this.release(t);
      for (const b of scratch) this.backend.free(b);
    }
  }

  /** Frees one tensor's buffers now. */
  release(t: Tensor): void {
    if (t.persistent) return;
    if (t.ownsData && t.data.length > 0) this.backend.free(t.data);
    if (t.grad && !t.gradAlias) this.backend.free(t.grad);
    t.data = EMPTY;
    t.grad = null;
    t.backwardFn = null;
  }

  /** Reverse-mode differentiation from a one-element tensor: accumulates d(loss)/d(x) into every x.grad. */
  backward(loss: Tensor): void {
    if (loss.size !== 1) throw new Error(`engine: backward() needs a scalar, got [${loss.shape.join(', ')}]`);
    if (!loss.requiresGrad) throw new Error('engine: backward() on a tensor that depends on no parameter');
    const order = topologicalOrder(loss);
    loss.gradBuffer()[0] += 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      if (t.backwardFn && t.grad) t.backwardFn();
    }
  }

  private track(t: Tensor): Tensor {
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.push(t);
    return t;
  }
}

const EMPTY = new Float32Array(0);

/** Tensors that need a gradient, parents before children (iterative DFS: graphs can be deep). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t.parents.length) {
      top[1]++;
      const p = t.parents[i];
      if (p.requiresGrad && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}
