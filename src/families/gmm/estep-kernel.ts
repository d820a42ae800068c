/**
 * The E-step of a two-component, 2-D fit (the paper's GMM) in WebAssembly SIMD (native/wasm/gmm.ts), about
 * 2.5× the TypeScript path's speed and bit-identical to it (src/families/gmm/em.test.ts compares them on
 * thousands of fits). EM is the hot loop of the paper's 2,001-generation experiment, and V8 cannot vectorise
 * the exp, so this one kernel is hand-written (docs/design.md). The module is 2.5 KB, embedded as base64 and
 * compiled synchronously, so the family needs no loader in Node, workers or browsers; where WebAssembly SIMD
 * is missing or forbidden, `gmmEstepKernel()` returns null and EM runs the TypeScript path.
 */
import { ESTEP_WASM_BASE64 } from './estep-wasm.js';

// Layout of the kernel's memory (bytes): 12 parameters then 12 statistics at 0, the points at POINTS,
// responsibilities after them.
const POINTS = 256;

export interface GmmEstepKernel {
  /** A view of n 2-D points in the kernel's memory: the data EM fits must be written here. */
  points(n: number): Float64Array;
  /** [p00A, p00B, p10A, p10B, p11A, p11B, μxA, μxB, μyA, μyB, cA, cB] in, then the statistics out (see gmm.ts). */
  readonly params: Float64Array;
  /** One E-step over the n points last placed by points(n); returns Σ_i log Σ_j p_ij. */
  run(n: number): number;
  /** The kernel's exp of values ≤ 0 (the tests hold it to libm's, bit for bit). */
  exp(values: Float64Array): Float64Array;
}

// The slice of the WebAssembly JS API used here (the project's TypeScript lib has no WebAssembly types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const PAGE = 65536;

let loaded: GmmEstepKernel | null | undefined;

export function gmmEstepKernel(): GmmEstepKernel | null {
  if (loaded === undefined) loaded = instantiate();
  return loaded;
}

function instantiate(): GmmEstepKernel | null {
  let exports: Record<string, unknown>;
  try {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const bytes = Uint8Array.from(atob(ESTEP_WASM_BASE64), (c) => c.charCodeAt(0));
    exports = new api.Instance(new api.Module(bytes), {}).exports;
  } catch {
    return null; // no SIMD128, or a page whose CSP forbids WebAssembly: the TypeScript path gives the same bits
  }
  const memory = exports.memory as WasmMemory;
  if (memory.buffer.byteLength < POINTS) memory.grow(1);
  const estep = exports.estepTwoByTwo as (points: number, n: number, params: number) => number;
  const kernel = {
    params: new Float64Array(memory.buffer, 0, 24),
    points(n: number): Float64Array {
      const needed = POINTS + 32 * n;
      if (memory.buffer.byteLength < needed) {
        memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
        kernel.params = new Float64Array(memory.buffer, 0, 24); // growing detaches the old views
      }
      return new Float64Array(memory.buffer, POINTS, 2 * n);
    },
    run: (n: number): number => estep(POINTS, n, 0),
    exp(values: Float64Array): Float64Array {
      const inside = kernel.points(values.length); // room for 4 values a point: the input, then the output
      inside.set(values);
      (exports.expNonPositiveInto as (src: number, dst: number, count: number) => void)(
        POINTS,
        POINTS + 8 * values.length,
        values.length,
      );
      return new Float64Array(memory.buffer, POINTS + 8 * values.length, values.length).slice();
    },
  };
  return kernel;
}
