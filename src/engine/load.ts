/**
 * Picks a backend at load time: native if its addon was built, else WebAssembly, else the TypeScript
 * reference. A missing or broken addon is a message, never a crash: the lab keeps running on WebAssembly.
 */
import type { Backend, BackendName } from './backend.js';
import { JsBackend } from './js-backend.js';
import { loadNativeBackend } from './native-backend.js';
import { Engine } from './tensor.js';
import { loadWasmBackend } from './wasm-node.js';

export type BackendChoice = BackendName | 'auto';

export interface LoadedBackend {
  backend: Backend;
  /** Why a preferred backend was not used (empty when the first choice loaded). */
  notes: string[];
}

export interface LoadOptions {
  /** Kernel threads for the native backend (default: COLLAPSE_LAB_THREADS, else 1). */
  threads?: number;
}

function defaultThreads(): number {
  const env = Number(process.env.COLLAPSE_LAB_THREADS);
  return Number.isInteger(env) && env > 0 ? env : 1;
}

/** Loads the named backend, or with 'auto' the best one that works here. Throws only for an explicit choice. */
export function loadBackend(choice: BackendChoice = 'auto', options: LoadOptions = {}): LoadedBackend {
  const threads = options.threads ?? defaultThreads();
  const notes: string[] = [];
  const order: BackendName[] = choice === 'auto' ? ['native', 'wasm', 'js'] : [choice];
  for (const name of order) {
    try {
      if (name === 'native') return { backend: loadNativeBackend(threads), notes };
      if (name === 'wasm') return { backend: loadWasmBackend(), notes };
      return { backend: new JsBackend(), notes };
    } catch (error) {
      const message = `engine: the ${name} backend is unavailable (${(error as Error).message})`;
      if (choice !== 'auto') throw new Error(message);
      notes.push(message);
    }
  }
  return { backend: new JsBackend(), notes };
}

/** An engine on the best available backend (see loadBackend), with the reasons any better one was skipped. */
export function createEngine(
  choice: BackendChoice = 'auto',
  options: LoadOptions = {},
): { engine: Engine; notes: string[] } {
  const { backend, notes } = loadBackend(choice, options);
  return { engine: new Engine(backend), notes };
}
