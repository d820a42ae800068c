/**
 * The WebAssembly SIMD backend: kernels compiled from native/wasm/kernels.ts by AssemblyScript at build time,
 * twice: dist/engine/kernels-relaxed.wasm (relaxed-SIMD fused multiply-add) is used where the runtime validates
 * it (browsers since 2023, Node 22+, or Node 20 with --experimental-wasm-relaxed-simd), dist/engine/kernels.wasm
 * (SIMD128 mul + add) elsewhere. Tensors are Float32Array views into the module's linear memory, so kernels read
 * them in place. The memory is reserved once at its full size and never grown, because growing would detach
 * every view the tensors hold; the OS commits pages only as they are touched.
 *
 * The row and element kernels run in WebAssembly too (native/wasm/rows.ts). Each override checks that its operands
 * are views of this module's memory and large enough (a wasm kernel does not bound-check, so a short operand would
 * silently corrupt a neighbouring buffer); an operand held elsewhere runs the shared TypeScript kernel instead.
 *
 * This module imports nothing from Node, so it runs in browsers too: `wasm-node.ts` loads it from the files in
 * Node, `browser.ts` fetches them.
 */
import { type AdamConstants, type Backend, BufferPool, type ConvGeometry, type GemmCall } from './backend.js';
import { TypeScriptKernels } from './js-kernels.js';

interface Kernels {
  gemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    beta: number,
    c: number,
    ldc: number,
    packA: number,
    packB: number,
  ): void;
  microKernelLoop(reps: number, kc: number, ap: number, bp: number, c: number): void;
  PACK_A_BYTES: { value: number };
  PACK_B_BYTES: { value: number };
  RELAXED: { value: number };
}

/** The row and element kernels of native/wasm/rows.ts: pointers are byte addresses, 0 for an absent operand. */
interface RowKernels {
  softmaxRows(x: number, out: number, rows: number, cols: number, causal: number, lse: number): void;
  softmaxBackward(o: number, g: number, gx: number, rows: number, cols: number, causal: number): void;
  layerNorm(
    x: number,
    gain: number,
    bias: number,
    rows: number,
    n: number,
    eps: number,
    out: number,
    xhat: number,
    rstd: number,
  ): void;
  layerNormBackward(
    g: number,
    xhat: number,
    rstd: number,
    gain: number,
    rows: number,
    n: number,
    gx: number,
    gg: number,
    gb: number,
  ): void;
  relu(x: number, out: number, n: number): void;
  reluBackward(x: number, g: number, gx: number, n: number): void;
  axpy(alpha: number, x: number, y: number, n: number): void;
  scale(alpha: number, x: number, out: number, n: number): void;
  addRows(x: number, y: number, sign: number, out: number, n: number, nb: number): void;
  sumRows(g: number, sign: number, gy: number, n: number, nb: number): void;
  adamStep(
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    beta1: number,
    beta2: number,
    stepSize: number,
    rootC2: number,
    eps: number,
    l2: number,
    shrink: number,
  ): void;
  sigmoidBce(x: number, t: number, p: number, n: number): number;
  im2col(x: number, cols: number): void;
  col2im(cols: number, x: number): void;
  toChannelMajor(x: number, n: number, c: number, p: number, out: number): void;
  addFromChannelMajor(y: number, n: number, c: number, p: number, bias: number, out: number): void;
  channelSums(g: number, n: number, c: number, p: number, gb: number): void;
  addChannelBias(out: number, n: number, c: number, p: number, bias: number): void;
  permute(x: number, rank: number, total: number, out: number, backward: number): void;
  CONV_GEOMETRY: { value: number };
  PERMUTE_ARGS: { value: number };
  PERMUTE_MAX_RANK: { value: number };
}

// The slice of the WebAssembly JS API used here (the project's TypeScript lib has no WebAssembly types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Room below the heap for AssemblyScript's static data. */
const STATIC_BYTES = 1 << 20;

/** The two builds of the kernels, as bytes: SIMD128 mul + add, and (optional) relaxed-SIMD FMA. */
export interface WasmKernelBytes {
  plain: Uint8Array;
  relaxed?: Uint8Array | null;
}

/** Compiles the relaxed-SIMD build if given and this runtime validates it, else the SIMD128 one. */
export function compileWasmKernels(bytes: WasmKernelBytes): object {
  if (bytes.relaxed && WebAssemblyApi.validate(bytes.relaxed)) return new WebAssemblyApi.Module(bytes.relaxed);
  return new WebAssemblyApi.Module(bytes.plain);
}

export class WasmBackend extends TypeScriptKernels implements Backend {
  readonly name = 'wasm' as const;
  readonly threads = 1;
  readonly description: string;
  /** True when the relaxed-SIMD (fused multiply-add) build of the kernels is running. */
  readonly relaxed: boolean;
  private readonly memory: WasmMemory;
  private readonly kernels: Kernels & RowKernels;
  /** The ten i32 of a convolution's geometry, read by the im2col/col2im kernels. */
  private readonly convArgs: Int32Array;
  /** A permutation's output shape then input strides, read by the permute kernel. */
  private readonly permuteArgs: Int32Array;
  private readonly pool = new BufferPool();
  private readonly packA: number;
  private readonly packB: number;
  private top: number;
  private readonly limit: number;

  /**
   * An instance of compiled kernels (compileWasmKernels) with its own linear memory of `memoryMiB`, reserved
   * whole up front.
   */
  constructor(module: object, memoryMiB = 2048) {
    super();
    const pages = Math.ceil((memoryMiB * 1024 * 1024) / PAGE);
    this.memory = new WebAssemblyApi.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssemblyApi.Instance(module, {
      env: {
        memory: this.memory,
        abort: () => {
          throw new Error('engine: wasm kernel aborted');
        },
      },
    });
    this.kernels = instance.exports as unknown as Kernels & RowKernels;
    this.convArgs = new Int32Array(this.memory.buffer, this.kernels.CONV_GEOMETRY.value, 10);
    this.permuteArgs = new Int32Array(
      this.memory.buffer,
      this.kernels.PERMUTE_ARGS.value,
      2 * this.kernels.PERMUTE_MAX_RANK.value,
    );
    this.relaxed = this.kernels.RELAXED.value === 1;
    this.description = `wasm (${this.relaxed ? 'relaxed-SIMD FMA' : 'SIMD128'}, 1 thread)`;
    this.packA = STATIC_BYTES;
    this.packB = this.packA + this.kernels.PACK_A_BYTES.value;
    this.top = align(this.packB + this.kernels.PACK_B_BYTES.value);
    this.limit = pages * PAGE;
  }

  alloc(n: number, zero = true): Float32Array {
    const recycled = this.pool.take(n, zero);
    if (recycled) return recycled;
    const bytes = align(n * 4);
    if (this.top + bytes > this.limit)
      throw new Error(
        `engine: wasm memory exhausted (${this.limit >> 20} MiB); raise COLLAPSE_LAB_WASM_MEMORY_MB or release tensors with tidy()`,
      );
    const view = new Float32Array(this.memory.buffer, this.top, n);
    this.top += bytes;
    return view;
  }

  free(buffer: Float32Array): void {
    this.pool.give(buffer);
  }

  /** Bytes of linear memory handed out so far (the high-water mark of live + pooled buffers). */
  get heapBytes(): number {
    return this.top;
  }

  gemm(g: GemmCall): void {
    const base = (arr: Float32Array, offset: number): number => {
      if (arr.buffer !== this.memory.buffer) throw new Error('engine: wasm gemm operand is not in wasm memory');
      return arr.byteOffset + offset * 4;
    };
    const a = base(g.a, g.aOffset);
    const b = base(g.b, g.bOffset);
    const c = base(g.c, g.cOffset);
    for (let p = 0; p < g.batch; p++) {
      this.kernels.gemm(
        g.transA ? 1 : 0,
        g.transB ? 1 : 0,
        g.m,
        g.n,
        g.k,
        g.alpha,
        a + p * g.strideA * 4,
        g.lda,
        b + p * g.strideB * 4,
        g.ldb,
        g.beta,
        c + p * g.strideC * 4,
        g.ldc,
        this.packA,
        this.packB,
      );
    }
  }

  /** True when every given operand is a view of this module's memory (null operands are absent, so they pass). */
  private inMemory(...arrays: Array<Float32Array | null>): boolean {
    for (const arr of arrays) if (arr && arr.buffer !== this.memory.buffer) return false;
    return true;
  }

  /** Byte address of an operand in this module's memory; 0 (the kernels' "absent") for null. */
  private static address(arr: Float32Array | null): number {
    return arr ? arr.byteOffset : 0;
  }

  override softmaxRows(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
    lse: Float32Array | null,
  ): void {
    if (!this.inMemory(x, out, lse)) {
      super.softmaxRows(x, out, rows, cols, causal, lse);
      return;
    }
    const size = rows * cols;
    ensure(rows >= 0 && cols > 0 && x.length >= size && out.length >= size, 'softmax sizes');
    ensure(!lse || lse.length >= rows, 'lse is too short');
    this.kernels.softmaxRows(x.byteOffset, out.byteOffset, rows, cols, causal ? 1 : 0, WasmBackend.address(lse));
  }

  override softmaxBackward(
    o: Float32Array,
    g: Float32Array,
    gx: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
  ): void {
    if (!this.inMemory(o, g, gx)) {
      super.softmaxBackward(o, g, gx, rows, cols, causal);
      return;
    }
    const size = rows * cols;
    ensure(rows >= 0 && cols > 0 && o.length >= size && g.length >= size && gx.length >= size, 'softmax sizes');
    this.kernels.softmaxBackward(o.byteOffset, g.byteOffset, gx.byteOffset, rows, cols, causal ? 1 : 0);
  }

  override layerNorm(
    x: Float32Array,
    gain: Float32Array,
    bias: Float32Array,
    rows: number,
    n: number,
    eps: number,
    out: Float32Array,
    xhat: Float32Array,
    rstd: Float32Array,
  ): void {
    if (!this.inMemory(x, gain, bias, out, xhat, rstd)) {
      super.layerNorm(x, gain, bias, rows, n, eps, out, xhat, rstd);
      return;
    }
    const size = rows * n;
    ensure(rows >= 0 && n > 0 && x.length >= size && out.length >= size && xhat.length >= size, 'layerNorm sizes');
    ensure(gain.length >= n && bias.length >= n && rstd.length >= rows, 'layerNorm parameters too short');
    const k = this.kernels;
    k.layerNorm(
      x.byteOffset,
      gain.byteOffset,
      bias.byteOffset,
      rows,
      n,
      eps,
      out.byteOffset,
      xhat.byteOffset,
      rstd.byteOffset,
    );
  }

  override layerNormBackward(
    g: Float32Array,
    xhat: Float32Array,
    rstd: Float32Array,
    gain: Float32Array,
    rows: number,
    n: number,
    gx: Float32Array | null,
    gg: Float32Array | null,
    gb: Float32Array | null,
  ): void {
    if (!this.inMemory(g, xhat, rstd, gain, gx, gg, gb)) {
      super.layerNormBackward(g, xhat, rstd, gain, rows, n, gx, gg, gb);
      return;
    }
    const size = rows * n;
    ensure(
      rows >= 0 && n > 0 && g.length >= size && xhat.length >= size && (!gx || gx.length >= size),
      'layerNorm sizes',
    );
    ensure(
      rstd.length >= rows && gain.length >= n && (!gg || gg.length >= n) && (!gb || gb.length >= n),
      'layerNorm sizes',
    );
    const at = WasmBackend.address;
    this.kernels.layerNormBackward(
      g.byteOffset,
      xhat.byteOffset,
      rstd.byteOffset,
      gain.byteOffset,
      rows,
      n,
      at(gx),
      at(gg),
      at(gb),
    );
  }

  override permute(
    x: Float32Array,
    shape: readonly number[],
    perm: readonly number[],
    out: Float32Array,
    backward: boolean,
  ): void {
    const rank = shape.length;
    const fits = rank >= 1 && rank <= this.kernels.PERMUTE_MAX_RANK.value && perm.length === rank;
    if (!fits || !this.inMemory(x, out)) {
      super.permute(x, shape, perm, out, backward);
      return;
    }
    // Output shape, then the input stride of each output dimension.
    const args = this.permuteArgs;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const p = perm.indexOf(d); // output dimension p reads input dimension d
      ensure(p >= 0 && shape[d] >= 0, 'bad permutation'); // a repeated entry leaves some d unread
      args[p] = shape[d];
      args[this.kernels.PERMUTE_MAX_RANK.value + p] = stride;
      stride *= shape[d];
    }
    const total = stride;
    ensure(x.length >= total && out.length >= total, 'permute sizes');
    this.kernels.permute(x.byteOffset, rank, total, out.byteOffset, backward ? 1 : 0);
  }

  override sigmoidBce(x: Float32Array, t: Float32Array, p: Float32Array): number {
    if (!this.inMemory(x, t, p)) return super.sigmoidBce(x, t, p);
    ensure(t.length === x.length && p.length === x.length, 'sigmoidBce lengths differ');
    return this.kernels.sigmoidBce(x.byteOffset, t.byteOffset, p.byteOffset, x.length);
  }

  /** Writes g where the im2col/col2im kernels read it, after checking both buffers hold what they will touch. */
  private setGeometry(g: ConvGeometry, images: Float32Array, cols: Float32Array): void {
    const values = [g.n, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow];
    ensure(values.every((v) => Number.isInteger(v) && v >= 0) && g.stride > 0, 'bad convolution geometry');
    ensure(images.length >= g.n * g.c * g.h * g.w, 'convolution images too short');
    ensure(cols.length >= g.c * g.kh * g.kw * g.n * g.oh * g.ow, 'convolution columns too short');
    this.convArgs.set(values);
  }

  override im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
    if (!this.inMemory(x, cols)) {
      super.im2col(x, g, cols);
      return;
    }
    this.setGeometry(g, x, cols);
    this.kernels.im2col(x.byteOffset, cols.byteOffset);
  }

  override col2im(cols: Float32Array, g: ConvGeometry, x: Float32Array): void {
    if (!this.inMemory(cols, x)) {
      super.col2im(cols, g, x);
      return;
    }
    this.setGeometry(g, x, cols);
    this.kernels.col2im(cols.byteOffset, x.byteOffset);
  }

  override toChannelMajor(x: Float32Array, n: number, c: number, p: number, out: Float32Array): void {
    if (!this.inMemory(x, out)) {
      super.toChannelMajor(x, n, c, p, out);
      return;
    }
    ensure(n >= 0 && c >= 0 && p >= 0 && x.length >= n * c * p && out.length >= n * c * p, 'toChannelMajor sizes');
    this.kernels.toChannelMajor(x.byteOffset, n, c, p, out.byteOffset);
  }

  override addFromChannelMajor(
    y: Float32Array,
    n: number,
    c: number,
    p: number,
    bias: Float32Array | null,
    out: Float32Array,
  ): void {
    if (!this.inMemory(y, bias, out)) {
      super.addFromChannelMajor(y, n, c, p, bias, out);
      return;
    }
    const size = n * c * p;
    ensure(n >= 0 && c >= 0 && p >= 0 && y.length >= size && out.length >= size, 'addFromChannelMajor sizes');
    ensure(!bias || bias.length >= c, 'bias is too short');
    this.kernels.addFromChannelMajor(y.byteOffset, n, c, p, WasmBackend.address(bias), out.byteOffset);
  }

  override channelSums(g: Float32Array, n: number, c: number, p: number, gb: Float32Array): void {
    if (!this.inMemory(g, gb)) {
      super.channelSums(g, n, c, p, gb);
      return;
    }
    ensure(n >= 0 && c >= 0 && p >= 0 && g.length >= n * c * p && gb.length >= c, 'channelSums sizes');
    this.kernels.channelSums(g.byteOffset, n, c, p, gb.byteOffset);
  }

  override addChannelBias(out: Float32Array, n: number, c: number, p: number, bias: Float32Array): void {
    if (!this.inMemory(out, bias)) {
      super.addChannelBias(out, n, c, p, bias);
      return;
    }
    ensure(n >= 0 && c >= 0 && p >= 0 && out.length >= n * c * p && bias.length >= c, 'addChannelBias sizes');
    this.kernels.addChannelBias(out.byteOffset, n, c, p, bias.byteOffset);
  }

  override relu(x: Float32Array, out: Float32Array): void {
    if (!this.inMemory(x, out)) {
      super.relu(x, out);
      return;
    }
    ensure(out.length === x.length, 'relu lengths differ');
    this.kernels.relu(x.byteOffset, out.byteOffset, x.length);
  }

  override reluBackward(x: Float32Array, g: Float32Array, gx: Float32Array): void {
    if (!this.inMemory(x, g, gx)) {
      super.reluBackward(x, g, gx);
      return;
    }
    ensure(g.length === x.length && gx.length === x.length, 'relu lengths differ');
    this.kernels.reluBackward(x.byteOffset, g.byteOffset, gx.byteOffset, x.length);
  }

  override axpy(alpha: number, x: Float32Array, y: Float32Array): void {
    if (!this.inMemory(x, y)) {
      super.axpy(alpha, x, y);
      return;
    }
    ensure(x.length === y.length, 'axpy lengths differ');
    this.kernels.axpy(alpha, x.byteOffset, y.byteOffset, y.length);
  }

  override scale(alpha: number, x: Float32Array, out: Float32Array): void {
    if (!this.inMemory(x, out)) {
      super.scale(alpha, x, out);
      return;
    }
    ensure(x.length === out.length, 'scale lengths differ');
    this.kernels.scale(alpha, x.byteOffset, out.byteOffset, x.length);
  }

  override addRows(x: Float32Array, y: Float32Array, sign: number, out: Float32Array): void {
    if (!this.inMemory(x, y, out)) {
      super.addRows(x, y, sign, out);
      return;
    }
    ensure(y.length > 0 && x.length % y.length === 0 && out.length === x.length, 'addRows sizes');
    this.kernels.addRows(x.byteOffset, y.byteOffset, sign, out.byteOffset, x.length, y.length);
  }

  override sumRows(g: Float32Array, sign: number, gy: Float32Array): void {
    if (!this.inMemory(g, gy)) {
      super.sumRows(g, sign, gy);
      return;
    }
    ensure(gy.length > 0 && g.length % gy.length === 0, 'sumRows sizes');
    this.kernels.sumRows(g.byteOffset, sign, gy.byteOffset, g.length, gy.length);
  }

  override adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: AdamConstants): void {
    if (!this.inMemory(w, g, m, v)) {
      super.adamStep(w, g, m, v, c);
      return;
    }
    ensure(g.length === w.length && m.length === w.length && v.length === w.length, 'adam lengths differ');
    const { beta1, beta2, stepSize, rootC2, eps, l2, shrink } = c;
    const k = this.kernels;
    k.adamStep(
      w.byteOffset,
      g.byteOffset,
      m.byteOffset,
      v.byteOffset,
      w.length,
      beta1,
      beta2,
      stepSize,
      rootC2,
      eps,
      l2,
      shrink,
    );
  }

  /**
   * GFLOP/s of the GEMM micro-kernel alone on L1-resident packed slivers (4 x 8 tile, depth 256): the ceiling
   * the whole GEMM is measured against (it adds packing, edge tiles and cache misses).
   */
  microKernelGflops(seconds = 0.3): number {
    const kc = 256;
    const a = this.alloc(kc * 4);
    const b = this.alloc(kc * 8);
    const c = this.alloc(32);
    a.fill(1e-3);
    b.fill(1e-3);
    const run = (reps: number) => this.kernels.microKernelLoop(reps, kc, a.byteOffset, b.byteOffset, c.byteOffset);
    run(2000); // tier up to the optimising compiler
    let reps = 0;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < seconds * 1000) {
      run(2000);
      reps += 2000;
      elapsed = performance.now() - t0;
    }
    this.free(a);
    this.free(b);
    this.free(c);
    return (2 * 4 * 8 * kc * reps) / (elapsed / 1000) / 1e9;
  }
}

/** Throws instead of letting a wasm kernel (which does not bound-check) write past an operand. */
function ensure(ok: boolean, what: string): void {
  if (!ok) throw new Error(`engine: wasm ${what}`);
}

function align(bytes: number): number {
  return (bytes + 63) & ~63;
}
