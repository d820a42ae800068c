/**
 * The MLP VAE of ../shared/bench/vae_torch.py: 784-400-20 with a Bernoulli decoder. Loss per batch is the
 * summed binary cross-entropy plus the KL divergence to N(0, I), as in Kingma & Welling's example.
 */
import { add, affine, exp, mul, relu, sub } from '../ops/elementwise.js';
import { sigmoidBce } from '../ops/nn.js';
import { sum } from '../ops/shape.js';
import { EngineRandom } from '../random.js';
import type { Engine, Tensor } from '../tensor.js';
import { applyLinear, type Linear, linear, linearParams } from './layers.js';

export interface MlpVaeConfig {
  input: number;
  hidden: number;
  latent: number;
}

export const REFERENCE_MLP_VAE: MlpVaeConfig = { input: 784, hidden: 400, latent: 20 };

/** KL(N(mu, exp(logvar)) || N(0, 1)) summed: 0.5 * sum(mu^2 + exp(logvar) - logvar - 1). */
export function gaussianKl(mu: Tensor, logvar: Tensor): Tensor {
  return sum(affine(sub(add(mul(mu, mu), exp(logvar)), logvar), 0.5, -0.5));
}

/** z = mu + eps * exp(logvar / 2), eps ~ N(0, 1) drawn from `noise`. */
export function reparameterise(mu: Tensor, logvar: Tensor, noise: EngineRandom): Tensor {
  const E = mu.engine;
  const eps = E.tensor(mu.shape);
  noise.fillNormal(eps.data);
  return add(mu, mul(exp(affine(logvar, 0.5)), eps));
}

export class MlpVae {
  readonly fc1: Linear;
  readonly fc21: Linear;
  readonly fc22: Linear;
  readonly fc3: Linear;
  readonly fc4: Linear;

  constructor(
    readonly engine: Engine,
    readonly config: MlpVaeConfig = REFERENCE_MLP_VAE,
    seed = 0,
  ) {
    const rng = new EngineRandom(seed);
    const { input, hidden, latent } = config;
    this.fc1 = linear(engine, input, hidden, rng);
    this.fc21 = linear(engine, hidden, latent, rng);
    this.fc22 = linear(engine, hidden, latent, rng);
    this.fc3 = linear(engine, latent, hidden, rng);
    this.fc4 = linear(engine, hidden, input, rng);
  }

  params(): Record<string, Tensor> {
    return {
      ...linearParams('fc1', this.fc1),
      ...linearParams('fc21', this.fc21),
      ...linearParams('fc22', this.fc22),
      ...linearParams('fc3', this.fc3),
      ...linearParams('fc4', this.fc4),
    };
  }

  encode(x: Tensor): { mu: Tensor; logvar: Tensor } {
    const h = relu(applyLinear(this.fc1, x));
    return { mu: applyLinear(this.fc21, h), logvar: applyLinear(this.fc22, h) };
  }

  /** Decoder logits (apply sigmoid for pixel probabilities). */
  decodeLogits(z: Tensor): Tensor {
    return applyLinear(this.fc4, relu(applyLinear(this.fc3, z)));
  }

  /** Negative ELBO summed over the batch x [B, input] with values in [0, 1]. */
  loss(x: Tensor, noise: EngineRandom): Tensor {
    const { mu, logvar } = this.encode(x);
    const logits = this.decodeLogits(reparameterise(mu, logvar, noise));
    return add(sigmoidBce(logits, x), gaussianKl(mu, logvar));
  }
}
