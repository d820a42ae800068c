/**
 * The VAE a generation fits: the engine's conv VAE (the paper's) or MLP VAE, with what the family needs around
 * it: inputs from image samples, decoding latents to images, encoding images to latent means, and state
 * save/load/free. Networks live in one engine per backend for the whole process.
 */
import { UsageError } from '../../core/errors.js';
import type { ModelState } from '../../core/family.js';
import type { Rng } from '../../core/rng.js';
import type { ImageSamples } from '../../core/samples.js';
import { ConvVae, type Engine, MlpVae, sigmoid, type Tensor } from '../../engine/browser.js';

/** Everything that fixes a network's shape; saved with its weights. */
export interface VaeNetSpec {
  readonly architecture: 'conv' | 'mlp';
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly latent: number;
  readonly capacity: number;
  readonly hidden: number;
}

export interface VaeModel {
  readonly net: ConvVae | MlpVae;
  readonly spec: VaeNetSpec;
  /** Negative ELBO per image over the last training epoch (not saved: only the generation that trained reports it). */
  trainLoss?: number;
}

/** The network shape for these options on images like `samples`; throws naming the field when they cannot go together. */
export function netSpec(
  options: Pick<VaeNetSpec, 'architecture' | 'latent' | 'capacity' | 'hidden'>,
  samples: Pick<ImageSamples, 'width' | 'height' | 'channels'>,
): VaeNetSpec {
  const { width, height, channels } = samples;
  if (options.architecture === 'conv' && (width !== height || width % 4 !== 0 || channels !== 1))
    throw new UsageError(
      `family.architecture: 'conv' needs square one-channel images with a side divisible by 4 (got ${width}×${height}×${channels}); use 'mlp'`,
    );
  return { ...options, width, height, channels };
}

export function createVae(engine: Engine, spec: VaeNetSpec, seed: number): VaeModel {
  const net =
    spec.architecture === 'conv'
      ? new ConvVae(engine, { image: spec.width, capacity: spec.capacity, latent: spec.latent }, seed)
      : new MlpVae(engine, { input: imageSize(spec), hidden: spec.hidden, latent: spec.latent }, seed);
  return { net, spec };
}

export function imageSize(spec: Pick<VaeNetSpec, 'width' | 'height' | 'channels'>): number {
  return spec.width * spec.height * spec.channels;
}

/** `count` images from `pixels` as the network's input tensor ([n, 1, h, w] or [n, h·w·c]). */
export function inputTensor(model: VaeModel, pixels: Float32Array, count: number): Tensor {
  const { spec } = model;
  const shape = spec.architecture === 'conv' ? [count, 1, spec.height, spec.width] : [count, imageSize(spec)];
  return model.net.engine.tensor(shape, pixels.subarray(0, count * imageSize(spec)));
}

/** Inference runs in chunks: big enough for the GEMMs, small enough to keep activations in cache-sized buffers. */
const CHUNK = 256;

/** Decoder means (pixel probabilities) of `count` latents z [count × latent]. */
export function decodeMeans(model: VaeModel, z: Float32Array, count: number): Float32Array {
  const E = model.net.engine;
  const size = imageSize(model.spec);
  const latent = model.spec.latent;
  const out = new Float32Array(count * size);
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    E.tidy(() => {
      const zt = E.tensor([n, latent], z.subarray(start * latent, (start + n) * latent));
      out.set(sigmoid(model.net.decodeLogits(zt)).data, start * size);
    });
  }
  return out;
}

/** Encoder means μ(x) [count × latent] of `count` images. */
export function encodeMeans(model: VaeModel, pixels: Float32Array, count: number): Float32Array {
  const E = model.net.engine;
  const size = imageSize(model.spec);
  const latent = model.spec.latent;
  const out = new Float32Array(count * latent);
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    E.tidy(() => {
      const { mu } = model.net.encode(inputTensor(model, pixels.subarray(start * size), n));
      out.set(mu.data, start * latent);
    });
  }
  return out;
}

/** A copy of the weights into a second network of the same shape (fine-tuning must not move the previous model). */
export function copyVae(engine: Engine, source: VaeModel): VaeModel {
  const copy = createVae(engine, source.spec, 0);
  const from = source.net.params();
  for (const [name, p] of Object.entries(copy.net.params())) p.data.set(from[name].data);
  return copy;
}

export function saveVae(model: VaeModel): ModelState {
  const arrays: Record<string, Float32Array> = {};
  for (const [name, p] of Object.entries(model.net.params())) arrays[name] = p.data.slice();
  return { json: { family: 'vae', ...model.spec }, arrays };
}

export function loadVae(engine: Engine, state: ModelState): VaeModel {
  const spec = state.json as VaeNetSpec & { family?: string };
  if (spec.family !== 'vae') throw new UsageError(`vae: the checkpoint holds a '${spec.family}' model, not a VAE`);
  const model = createVae(engine, spec, 0);
  for (const [name, p] of Object.entries(model.net.params())) {
    const stored = state.arrays?.[name];
    if (!(stored instanceof Float32Array) || stored.length !== p.size)
      throw new UsageError(
        `vae: the checkpoint's '${name}' is missing or has the wrong size for ${JSON.stringify(spec)}`,
      );
    p.data.set(stored);
  }
  return model;
}

/** Returns every parameter and gradient buffer to the backend. */
export function disposeVae(model: VaeModel): void {
  const backend = model.net.engine.backend;
  for (const p of Object.values(model.net.params())) {
    backend.free(p.data);
    if (p.grad) backend.free(p.grad);
    p.grad = null;
  }
}

/** `count` images from the prior through the decoder: z ~ N(0, I) from `rng`, then the means or Bernoulli draws. */
export function generateImages(model: VaeModel, count: number, rng: Rng, mode: 'mean' | 'bernoulli'): Float32Array {
  const z = new Float32Array(count * model.spec.latent);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
  const pixels = decodeMeans(model, z, count);
  if (mode === 'bernoulli') for (let i = 0; i < pixels.length; i++) pixels[i] = rng.uniform() < pixels[i] ? 1 : 0;
  return pixels;
}
