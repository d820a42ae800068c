/**
 * The engine for browsers (and any runtime without Node): everything but the native addon and the file-reading
 * loaders, with the WebAssembly backend fetched from the URL of its build. In a page:
 *   const backend = await loadWasmBackendFromUrl(new URL('./', import.meta.url)); // where the .wasm files are
 *   const engine = new Engine(backend);
 */
import { compileWasmKernels, WasmBackend } from './wasm-backend.js';

export type { Backend, BackendName, GemmCall } from './backend.js';
export { gemmCall } from './backend.js';
export { JsBackend } from './js-backend.js';
export { ConvVae, type ConvVaeConfig, REFERENCE_CONV_VAE } from './models/conv-vae.js';
export { applyLinear, type Linear, linear } from './models/layers.js';
export { gaussianKl, MlpVae, type MlpVaeConfig, REFERENCE_MLP_VAE, reparameterise } from './models/mlp-vae.js';
export { REFERENCE_GPT, TinyGpt, type TinyGptConfig } from './models/tinygpt.js';
export { conv2d, convTranspose2d } from './ops/conv.js';
export { add, affine, exp, gelu, log, mul, relu, scale, sigmoid, sub, tanh } from './ops/elementwise.js';
export { matmul } from './ops/matmul.js';
export { crossEntropy, dropout, embedding, layerNorm, sigmoidBce, sigmoidBceClamped, softmax } from './ops/nn.js';
export { mean, narrow, permute, reshape, select, sum, sumLast, transpose } from './ops/shape.js';
export { Adam, type AdamOptions, type AdamState, clipGradNorm } from './optim.js';
export { loadParams, saveParams } from './params.js';
export { EngineRandom } from './random.js';
export { Engine, type Shape, Tensor } from './tensor.js';
export { compileWasmKernels, WasmBackend, type WasmKernelBytes } from './wasm-backend.js';

/**
 * Fetches dist/engine's kernels.wasm and kernels-relaxed.wasm from `base` (a folder URL) and instantiates the
 * backend, on the relaxed-SIMD build where the runtime supports it.
 */
export async function loadWasmBackendFromUrl(
  base: URL | string,
  options: { relaxed?: boolean; memoryMiB?: number } = {},
): Promise<WasmBackend> {
  const fetchBytes = async (file: string): Promise<Uint8Array> => {
    const response = await fetch(new URL(file, base));
    if (!response.ok) throw new Error(`engine: could not fetch ${file} from ${base} (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const relaxed = options.relaxed ?? true;
  const [plain, relaxedBytes] = await Promise.all([
    fetchBytes('kernels.wasm'),
    relaxed ? fetchBytes('kernels-relaxed.wasm') : Promise.resolve(null),
  ]);
  return new WasmBackend(compileWasmKernels({ plain, relaxed: relaxedBytes }), options.memoryMiB ?? 2048);
}
