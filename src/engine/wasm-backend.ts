/**
 * The WebAssembly SIMD backend: kernels compiled from native/wasm/kernels.ts by AssemblyScript at build time,
 * twice: dist/engine/kernels-relaxed.wasm (relaxed-SIMD fused multiply-add) is used where the runtime validates
 * it (browsers since 2023, Node 22+, or Node 20 with --experimental-wasm-relaxed-simd), dist/engine/kernels.wasm
 * (SIMD128 mul + add) elsewhere. COLLAPSE_LAB_WASM_RELAXED=0 forces the plain build. Tensors are Float32Array views into the module's linear memory, so kernels read
 * them in place. The memory is reserved once at its full size and never grown, because growing would detach
 * every view the tensors hold; the OS commits pages only as they are touched.
 */
import fs from 'node:fs';
import { type Backend, BufferPool, type GemmCall } from './backend.js';
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

function wasmBytes(file: string): Uint8Array {
  // The build beside the compiled module, or the built copy when running from src/ (tests).
  const candidates = [new URL(`./${file}`, import.meta.url), new URL(`../../dist/engine/${file}`, import.meta.url)];
  for (const url of candidates) if (fs.existsSync(url)) return fs.readFileSync(url);
  throw new Error(`${file} not found; build it with \`npm run build\``);
}

/** The relaxed-SIMD build where this runtime accepts it (and it is not switched off), else the SIMD128 one. */
function compileKernels(relaxed: boolean): object {
  if (relaxed) {
    const bytes = wasmBytes('kernels-relaxed.wasm');
    if (WebAssemblyApi.validate(bytes)) return new WebAssemblyApi.Module(bytes);
  }
  return new WebAssemblyApi.Module(wasmBytes('kernels.wasm'));
}

const compiled = new Map<boolean, object>();

export class WasmBackend extends TypeScriptKernels implements Backend {
  readonly name = 'wasm' as const;
  readonly threads = 1;
  readonly description: string;
  /** True when the relaxed-SIMD (fused multiply-add) build of the kernels is running. */
  readonly relaxed: boolean;
  private readonly memory: WasmMemory;
  private readonly kernels: Kernels;
  private readonly pool = new BufferPool();
  private readonly packA: number;
  private readonly packB: number;
  private top: number;
  private readonly limit: number;

  constructor(memoryMiB: number, relaxed = true) {
    super();
    let module = compiled.get(relaxed);
    if (!module) {
      module = compileKernels(relaxed);
      compiled.set(relaxed, module);
    }
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
    this.kernels = instance.exports as unknown as Kernels;
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

function align(bytes: number): number {
  return (bytes + 63) & ~63;
}

export function loadWasmBackend(options: { relaxed?: boolean } = {}): WasmBackend {
  const env = Number(process.env.COLLAPSE_LAB_WASM_MEMORY_MB);
  const relaxed = options.relaxed ?? process.env.COLLAPSE_LAB_WASM_RELAXED !== '0';
  return new WasmBackend(Number.isFinite(env) && env > 0 ? env : 2048, relaxed);
}
