/** The backends every engine test runs on. A backend that cannot load here is skipped with its reason shown. */
import type { Backend } from '../backend.js';
import { JsBackend } from '../js-backend.js';
import { loadNativeBackend } from '../native-backend.js';
import { Engine } from '../tensor.js';
import { loadWasmBackend } from '../wasm-node.js';

export interface BackendCase {
  name: string;
  /** Null when the backend cannot load on this machine. */
  backend: Backend | null;
  reason: string;
}

function attempt(name: string, make: () => Backend): BackendCase {
  try {
    return { name, backend: make(), reason: '' };
  } catch (error) {
    const reason = (error as Error).message;
    console.warn(`engine tests: skipping the ${name} backend: ${reason}`);
    return { name, backend: null, reason };
  }
}

let cached: BackendCase[] | null = null;

/** The relaxed-SIMD build of the WebAssembly kernels, or an error saying why this runtime cannot run it. */
function relaxedWasm(): Backend {
  const backend = loadWasmBackend({ relaxed: true });
  if (!backend.relaxed)
    throw new Error('this runtime lacks relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)');
  return backend;
}

/**
 * js (reference), both WebAssembly builds (SIMD128 mul + add, relaxed-SIMD FMA: vitest's workers run with
 * --experimental-wasm-relaxed-simd) and native (2 threads, so the thread pool is exercised).
 */
export function backendCases(): BackendCase[] {
  cached ??= [
    attempt('js', () => new JsBackend()),
    attempt('wasm', () => loadWasmBackend({ relaxed: false })),
    attempt('wasm-relaxed', relaxedWasm),
    attempt('native', () => loadNativeBackend(2)),
  ];
  return cached;
}

export function engineFor(c: BackendCase): Engine {
  if (!c.backend) throw new Error(`backend ${c.name} unavailable: ${c.reason}`);
  return new Engine(c.backend);
}
