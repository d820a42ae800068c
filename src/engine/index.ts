/**
 * The neural engine: float32 tensors, reverse-mode autograd and CPU kernels behind one backend interface.
 * It knows nothing of model collapse; families build their networks from these pieces.
 */
export type { Backend, BackendName, GemmCall } from './backend.js';
export { gemmCall } from './backend.js';
export { JsBackend } from './js-backend.js';
export { type BackendChoice, createEngine, type LoadedBackend, type LoadOptions, loadBackend } from './load.js';
export { ConvVae, type ConvVaeConfig, REFERENCE_CONV_VAE } from './models/conv-vae.js';
export { applyLinear, type Linear, linear } from './models/layers.js';
export { gaussianKl, MlpVae, type MlpVaeConfig, REFERENCE_MLP_VAE, reparameterise } from './models/mlp-vae.js';
export { REFERENCE_GPT, TinyGpt, type TinyGptConfig } from './models/tinygpt.js';
export { conv2d, convTranspose2d } from './ops/conv.js';
export { add, affine, exp, gelu, log, mul, relu, scale, sigmoid, sub, tanh } from './ops/elementwise.js';
export { matmul } from './ops/matmul.js';
export { crossEntropy, dropout, embedding, layerNorm, sigmoidBce, softmax } from './ops/nn.js';
export { mean, narrow, permute, reshape, select, sum, sumLast, transpose } from './ops/shape.js';
export { Adam, type AdamOptions, clipGradNorm } from './optim.js';
export { loadParams, saveParams } from './params.js';
export { EngineRandom } from './random.js';
export { Engine, type Shape, Tensor } from './tensor.js';
