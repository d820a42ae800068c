/**
 * What a VAE generation is measured by: the notebook's latent statistics (its images through generation 0's
 * encoder), the ELBO and its two terms on held-out real images, and the variety of its samples.
 */
import type { Rng } from '../../core/rng.js';
import type { ImageSamples } from '../../core/samples.js';
import { type Engine, EngineRandom, matmul, reparameterise } from '../../engine/browser.js';
import { exp, log1p } from '../../numeric/libm.js';
import { encodeMeans, generateImages, imageSize, inputTensor, type VaeModel } from './model.js';

/**
 * The notebook's measure of collapse: decode `count` prior samples with `model`, encode the images with
 * generation 0's encoder, and take the mean and (unbiased) standard deviation of all the latent means.
 */
export function latentStatistics(
  model: VaeModel,
  generationZero: VaeModel,
  count: number,
  rng: Rng,
): { mean: number; std: number } {
  const images = generateImages(model, count, rng, 'mean');
  const mu = encodeMeans(generationZero, images, count);
  let sum = 0;
  for (const v of mu) sum += v;
  const mean = sum / mu.length;
  let squares = 0;
  for (const v of mu) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (mu.length - 1)) };
}

/** min(softplus(x), 100): −max(log σ(−x), −100), PyTorch's clamped log term, computed from the logit. */
function clampedSoftplus(x: number): number {
  return Math.min(Math.max(x, 0) + log1p(exp(-Math.abs(x))), 100);
}

export interface ElboTerms {
  /** Per image: BCE summed over pixels (clamped logs, as training), KL to the prior, and −(BCE + KL). */
  readonly bce: Float64Array;
  readonly kl: Float64Array;
  readonly elbo: Float64Array;
}

/** The one-sample ELBO of every image (z drawn from q(z|x) with `noiseSeed`). */
export function elboPerImage(model: VaeModel, samples: ImageSamples, noiseSeed: number): ElboTerms {
  const E = model.net.engine;
  const size = imageSize(model.spec);
  const latent = model.spec.latent;
  const n = samples.pixels.length / size;
  const noise = new EngineRandom(noiseSeed);
  const bce = new Float64Array(n);
  const kl = new Float64Array(n);
  const chunk = 256;
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    E.tidy(() => {
      const x = inputTensor(model, samples.pixels.subarray(start * size), count);
      const { mu, logvar } = model.net.encode(x);
      const logits = model.net.decodeLogits(reparameterise(mu, logvar, noise)).data;
      for (let i = 0; i < count; i++) {
        let b = 0;
        for (let j = i * size; j < (i + 1) * size; j++) {
          const t = x.data[j];
          b += t * clampedSoftplus(-logits[j]) + (1 - t) * clampedSoftplus(logits[j]);
        }
        let k = 0;
        for (let j = i * latent; j < (i + 1) * latent; j++)
          k += 0.5 * (mu.data[j] ** 2 + exp(logvar.data[j]) - logvar.data[j] - 1);
        bce[start + i] = b;
        kl[start + i] = k;
      }
    });
  }
  const elbo = new Float64Array(n);
  for (let i = 0; i < n; i++) elbo[i] = -(bce[i] + kl[i]);
  return { bce, kl, elbo };
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/**
 * Variety of a sample set: the mean Euclidean distance between the first `pairsOf` images (all pairs, through
 * one Gram matrix on the engine) and the per-pixel variance across all images, averaged over pixels.
 */
export function diversity(
  engine: Engine,
  samples: ImageSamples,
  pairsOf: number,
): { meanPairwiseDistance: number; pixelVariance: number } {
  const size = samples.width * samples.height * samples.channels;
  const count = samples.pixels.length / size;
  const sums = new Float64Array(size);
  const squares = new Float64Array(size);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < size; j++) {
      const v = samples.pixels[i * size + j];
      sums[j] += v;
      squares[j] += v * v;
    }
  let pixelVariance = 0;
  for (let j = 0; j < size; j++) pixelVariance += squares[j] / count - (sums[j] / count) ** 2;
  pixelVariance /= size;

  const n = Math.min(pairsOf, count);
  let total = 0;
  engine.tidy(() => {
    const x = engine.tensor([n, size], samples.pixels.subarray(0, n * size));
    const gram = matmul(x, x, { transB: true }).data;
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++)
        total += Math.sqrt(Math.max(0, gram[a * n + a] + gram[b * n + b] - 2 * gram[a * n + b]));
  });
  return { meanPairwiseDistance: n > 1 ? total / ((n * (n - 1)) / 2) : 0, pixelVariance };
}
