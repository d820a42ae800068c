/**
 * The WebAssembly SIMD backend: kernels compiled from native/wasm/kernels.ts by AssemblyScript at build time
 * (dist/engine/kernels.wasm). Tensors are Float32Array views into the module's linear memory, so kernels read
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
  PACK_A_BYTES: { value: number };
  PACK_B_BYTES: { value: number };
}

// The slice of the WebAssembly JS API used here (the project's TypeScript lib has no WebAssembly types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Room below the heap for AssemblyScript's static data. */
const STATIC_BYTES = 1 << 20;

function wasmBytes(): Uint8Array {
  // dist/engine/kernels.wasm beside the compiled module, or the built copy when running from src/ (tests).
  const candidates = [
    new URL('./kernels.wasm', import.meta.url),
    new URL('../../dist/engine/kernels.wasm', import.meta.url),
  ];
  for (const url of candidates) if (fs.existsSync(url)) return fs.readFileSync(url);
  throw new Error('kernels.wasm not found; build it with `npm run build`');
}

let compiled: object | null = null;

export class WasmBackend extends TypeScriptKernels implements Backend {
  readonly name = 'wasm' as const;
  readonly threads = 1;
  readonly description = 'wasm (SIMD128, 1 thread)';
  private readonly memory: WasmMemory;
  private readonly kernels: Kernels;
  private readonly pool = new BufferPool();
  private readonly packA: number;
  private readonly packB: number;
  private top: number;
  private readonly limit: number;

  constructor(memoryMiB: number) {
    super();
    compiled ??= new WebAssemblyApi.Module(wasmBytes());
    const pages = Math.ceil((memoryMiB * 1024 * 1024) / PAGE);
    this.memory = new WebAssemblyApi.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssemblyApi.Instance(compiled, {
      env: {
        memory: this.memory,
        abort: () => {
          throw new Error('engine: wasm kernel aborted');
        },
      },
    });
    this.kernels = instance.exports as unknown as Kernels;
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
}

function align(bytes: number): number {
  return (bytes + 63) & ~63;
}

export function loadWasmBackend(): WasmBackend {
  const env = Number(process.env.COLLAPSE_LAB_WASM_MEMORY_MB);
  return new WasmBackend(Number.isFinite(env) && env > 0 ? env : 2048);
}
