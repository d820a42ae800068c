/**
 * The neural engine: float32 tensors, reverse-mode autograd and CPU kernels behind one backend interface.
 * It knows nothing of model collapse; families build their networks from these pieces. In Node, loadBackend picks
 * native, else WebAssembly, else the TypeScript reference; browsers import `./browser.js` instead.
 */
export * from './browser.js';
export { type BackendChoice, createEngine, type LoadedBackend, type LoadOptions, loadBackend } from './load.js';
export { loadWasmBackend } from './wasm-node.js';
