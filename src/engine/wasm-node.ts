/**
 * The WebAssembly backend in Node: reads the two kernel builds from dist/engine (beside this module, or the built
 * copy when running from src/ under the tests) and compiles each once per process.
 * Environment: COLLAPSE_LAB_WASM_MEMORY_MB (linear memory, default 2048), COLLAPSE_LAB_WASM_RELAXED=0 (force the
 * SIMD128 build).
 */
import fs from 'node:fs';
import { compileWasmKernels, WasmBackend } from './wasm-backend.js';

function wasmBytes(file: string): Uint8Array {
  const candidates = [new URL(`./${file}`, import.meta.url), new URL(`../../dist/engine/${file}`, import.meta.url)];
  for (const url of candidates) if (fs.existsSync(url)) return fs.readFileSync(url);
  throw new Error(`${file} not found; build it with \`npm run build\``);
}

const compiled = new Map<boolean, object>();

export function loadWasmBackend(options: { relaxed?: boolean } = {}): WasmBackend {
  const env = Number(process.env.COLLAPSE_LAB_WASM_MEMORY_MB);
  const relaxed = options.relaxed ?? process.env.COLLAPSE_LAB_WASM_RELAXED !== '0';
  let module = compiled.get(relaxed);
  if (!module) {
    module = compileWasmKernels({
      plain: wasmBytes('kernels.wasm'),
      relaxed: relaxed ? wasmBytes('kernels-relaxed.wasm') : null,
    });
    compiled.set(relaxed, module);
  }
  return new WasmBackend(module, Number.isFinite(env) && env > 0 ? env : 2048);
}
