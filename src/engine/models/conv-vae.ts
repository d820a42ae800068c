/**
 * The paper's convolutional VAE (../shared/bench/convvae_torch.py): capacity c, latent z. Encoder
 * Conv(1->c, k4 s2 p1) -> Conv(c->2c, k4 s2 p1) -> Linear to mu and logvar; decoder Linear -> ConvT(2c->c)
 * -> ConvT(c->1) -> sigmoid; ReLU between. With c = 64, z = 20 on 28x28 inputs: 647,081 parameters.
 */

import { conv2d, convTranspose2d } from '../ops/conv.js';
import { add, relu } from '../ops/elementwise.js';
import { sigmoidBce } from '../ops/nn.js';
import { reshape } from '../ops/shape.js';
import { EngineRandom } from '../random.js';
import type { Engine, Tensor } from '../tensor.js';
import { applyLinear, type Linear, linear, linearParams, uniformParam } from './layers.js';
import { gaussianKl, reparameterise } from './mlp-vae.js';

export interface ConvVaeConfig {
  /** Square image side, a multiple of 4 (28 for MNIST). */
  image: number;
  capacity: number;
  latent: number;
}

export const REFERENCE_CONV_VAE: ConvVaeConfig = { image: 28, capacity: 64, latent: 20 };

interface Conv {
  weight: Tensor;
  bias: Tensor;
}

const K = 4;
const CONV = { stride: 2, padding: 1 };

export class ConvVae {
  readonly e1: Conv;
  readonly e2: Conv;
  readonly mu: Linear;
  readonly lv: Linear;
  readonly d0: Linear;
  readonly d1: Conv;
  readonly d2: Conv;
  private readonly side: number;

  constructor(
    readonly engine: Engine,
    readonly config: ConvVaeConfig = REFERENCE_CONV_VAE,
    seed = 0,
  ) {
    const { image, capacity: c, latent } = config;
    if (image % 4 !== 0) throw new Error(`engine: conv VAE image side ${image} is not a multiple of 4`);
    const rng = new EngineRandom(seed);
    const E = engine;
    this.side = image / 4;
    const flat = 2 * c * this.side * this.side;
    // PyTorch's fan-in: in_channels * k * k for Conv2d, weight.size(1) * k * k (= out channels) for ConvTranspose2d.
    const conv = (o: number, i: number): Conv => ({
      weight: uniformParam(E, [o, i, K, K], i * K * K, rng),
      bias: uniformParam(E, [o], i * K * K, rng),
    });
    const convT = (i: number, o: number): Conv => ({
      weight: uniformParam(E, [i, o, K, K], o * K * K, rng),
      bias: uniformParam(E, [o], o * K * K, rng),
    });
    this.e1 = conv(c, 1);
    this.e2 = conv(2 * c, c);
    this.mu = linear(E, flat, latent, rng);
    this.lv = linear(E, flat, latent, rng);
    this.d0 = linear(E, latent, flat, rng);
    this.d1 = convT(2 * c, c);
    this.d2 = convT(c, 1);
  }

  params(): Record<string, Tensor> {
    const conv = (name: string, l: Conv) => ({ [`${name}.weight`]: l.weight, [`${name}.bias`]: l.bias });
    return {
      ...conv('e1', this.e1),
      ...conv('e2', this.e2),
      ...linearParams('mu', this.mu),
      ...linearParams('lv', this.lv),
      ...linearParams('d0', this.d0),
      ...conv('d1', this.d1),
      ...conv('d2', this.d2),
    };
  }

  encode(x: Tensor): { mu: Tensor; logvar: Tensor } {
    const h1 = relu(conv2d(x, this.e1.weight, this.e1.bias, CONV));
    const h2 = relu(conv2d(h1, this.e2.weight, this.e2.bias, CONV));
    const flat = reshape(h2, [x.shape[0], -1]);
    return { mu: applyLinear(this.mu, flat), logvar: applyLinear(this.lv, flat) };
  }

  decodeLogits(z: Tensor): Tensor {
    const { capacity: c } = this.config;
    const h = reshape(applyLinear(this.d0, z), [z.shape[0], 2 * c, this.side, this.side]);
    const h1 = relu(convTranspose2d(h, this.d1.weight, this.d1.bias, CONV));
    return convTranspose2d(h1, this.d2.weight, this.d2.bias, CONV);
  }

  /** Negative ELBO summed over the batch x [B, 1, image, image] with values in [0, 1]. */
  loss(x: Tensor, noise: EngineRandom): Tensor {
    const { mu, logvar } = this.encode(x);
    const logits = this.decodeLogits(reparameterise(mu, logvar, noise));
    return add(sigmoidBce(logits, x), gaussianKl(mu, logvar));
  }
}
