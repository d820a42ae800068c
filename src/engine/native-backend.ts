/**
 * The native backend: the C++ addon built by node-gyp during `npm ci` (see native/ and binding.gyp). GEMM runs
 * on the addon's own thread pool with the best micro-kernel the CPU supports (AVX-512, AVX2 or portable);
 * buffers are ordinary Float32Arrays, read in place by the addon.
 */
import { createRequire } from 'node:module';
import { type AdamConstants, type Backend, BufferPool, type ConvGeometry, type GemmCall } from './backend.js';

export type NativeIsa = 'avx512' | 'avx2' | 'portable';

/** The row and element kernels the addon exports with exactly the Backend's signatures. */
type AddonKernels = Pick<
  Backend,
  | 'softmaxRows'
  | 'sigmoidBce'
  | 'softmaxBackward'
  | 'layerNorm'
  | 'layerNormBackward'
  | 'permute'
  | 'im2col'
  | 'col2im'
  | 'toChannelMajor'
  | 'addFromChannelMajor'
  | 'channelSums'
  | 'addChannelBias'
  | 'relu'
  | 'reluBackward'
  | 'axpy'
  | 'scale'
  | 'addRows'
  | 'sumRows'
>;

/** The addon's exports: the kernels above, plus GEMM and Adam in its own calling convention, and set-up. */
interface Addon extends AddonKernels {
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    aOffset: number,
    lda: number,
    b: Float32Array,
    bOffset: number,
    ldb: number,
    beta: number,
    c: Float32Array,
    cOffset: number,
    ldc: number,
    batch: number,
    strideA: number,
    strideB: number,
    strideC: number,
  ): void;
  adamStep(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    beta1: number,
    beta2: number,
    stepSize: number,
    rootC2: number,
    eps: number,
    l2: number,
    shrink: number,
  ): void;
  setThreads(n: number): number;
  selectIsa(name: string): NativeIsa | null;
  isa(): NativeIsa;
  fmaPeakGflops(): number;
}

let addon: Addon | null = null;

/** Loads the addon once; throws with the reason (not built, wrong Node ABI) if it cannot. */
function loadAddon(): Addon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  // Same relative path from src/engine (tests) and dist/engine (the built package).
  const path = new URL('../../build/Release/collapse_engine.node', import.meta.url).pathname;
  try {
    addon = require(path) as Addon;
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new Error(`native addon not loadable (${reason}); rebuild it with \`npm rebuild\` or \`npm ci\``);
  }
  return addon;
}

export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  private readonly pool = new BufferPool();

  constructor(
    private readonly addon: Addon,
    readonly threads: number,
  ) {}

  get isa(): NativeIsa {
    return this.addon.isa();
  }

  get description(): string {
    return `native (${this.isa}, ${this.threads} thread${this.threads === 1 ? '' : 's'})`;
  }

  /** Switches the micro-kernel ('auto' picks the best); returns false if this CPU lacks that ISA. */
  selectIsa(isa: NativeIsa | 'auto'): boolean {
    return this.addon.selectIsa(isa) !== null;
  }

  /** One core's measured FMA peak (GFLOP/s) for the current ISA (0 for portable): the GEMM figures' yardstick. */
  fmaPeakGflops(): number {
    return this.addon.fmaPeakGflops();
  }

  alloc(n: number, zero = true): Float32Array {
    return this.pool.take(n, zero) ?? new Float32Array(n);
  }

  free(buffer: Float32Array): void {
    this.pool.give(buffer);
  }

  softmaxRows(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
    lse: Float32Array | null,
  ): void {
    this.addon.setThreads(this.threads);
    this.addon.softmaxRows(x, out, rows, cols, causal, lse);
  }

  sigmoidBce(x: Float32Array, t: Float32Array, p: Float32Array): number {
    return this.addon.sigmoidBce(x, t, p);
  }

  softmaxBackward(
    o: Float32Array,
    g: Float32Array,
    gx: Float32Array,
    rows: number,
    cols: number,
    causal: boolean,
  ): void {
    this.addon.setThreads(this.threads);
    this.addon.softmaxBackward(o, g, gx, rows, cols, causal);
  }

  layerNorm(
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
    this.addon.setThreads(this.threads);
    this.addon.layerNorm(x, gain, bias, rows, n, eps, out, xhat, rstd);
  }

  layerNormBackward(
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
    this.addon.setThreads(this.threads);
    this.addon.layerNormBackward(g, xhat, rstd, gain, rows, n, gx, gg, gb);
  }

  permute(
    x: Float32Array,
    shape: readonly number[],
    perm: readonly number[],
    out: Float32Array,
    backward: boolean,
  ): void {
    this.addon.setThreads(this.threads);
    this.addon.permute(x, shape, perm, out, backward);
  }

  im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.im2col(x, g, cols);
  }

  col2im(cols: Float32Array, g: ConvGeometry, x: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.col2im(cols, g, x);
  }

  toChannelMajor(x: Float32Array, n: number, c: number, p: number, out: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.toChannelMajor(x, n, c, p, out);
  }

  addFromChannelMajor(
    y: Float32Array,
    n: number,
    c: number,
    p: number,
    bias: Float32Array | null,
    out: Float32Array,
  ): void {
    this.addon.setThreads(this.threads);
    this.addon.addFromChannelMajor(y, n, c, p, bias, out);
  }

  channelSums(g: Float32Array, n: number, c: number, p: number, gb: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.channelSums(g, n, c, p, gb);
  }

  addChannelBias(out: Float32Array, n: number, c: number, p: number, bias: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.addChannelBias(out, n, c, p, bias);
  }

  relu(x: Float32Array, out: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.relu(x, out);
  }

  reluBackward(x: Float32Array, g: Float32Array, gx: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.reluBackward(x, g, gx);
  }

  axpy(alpha: number, x: Float32Array, y: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.axpy(alpha, x, y);
  }

  scale(alpha: number, x: Float32Array, out: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.scale(alpha, x, out);
  }

  addRows(x: Float32Array, y: Float32Array, sign: number, out: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.addRows(x, y, sign, out);
  }

  sumRows(g: Float32Array, sign: number, gy: Float32Array): void {
    this.addon.setThreads(this.threads);
    this.addon.sumRows(g, sign, gy);
  }

  adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, c: AdamConstants): void {
    this.addon.setThreads(this.threads);
    this.addon.adamStep(w, g, m, v, c.beta1, c.beta2, c.stepSize, c.rootC2, c.eps, c.l2, c.shrink);
  }

  gemm(g: GemmCall): void {
    this.addon.setThreads(this.threads);
    this.addon.gemm(
      g.transA,
      g.transB,
      g.m,
      g.n,
      g.k,
      g.alpha,
      g.a,
      g.aOffset,
      g.lda,
      g.b,
      g.bOffset,
      g.ldb,
      g.beta,
      g.c,
      g.cOffset,
      g.ldc,
      g.batch,
      g.strideA,
      g.strideB,
      g.strideC,
    );
  }
}

export function loadNativeBackend(threads = 1): NativeBackend {
  const a = loadAddon();
  const isa = process.env.COLLAPSE_LAB_ISA;
  if (isa && a.selectIsa(isa) === null) throw new Error(`COLLAPSE_LAB_ISA=${isa} is not supported on this CPU`);
  return new NativeBackend(a, Math.max(1, Math.floor(threads)));
}
