/**
 * One generation's training: Adam with coupled L2 weight decay (PyTorch's Adam(weight_decay=...), as the
 * notebook), on the summed BCE (PyTorch's clamped arithmetic) plus KL of each batch, over the batches a
 * BatchMaker deals.
 */
import type { Progress } from '../../core/family.js';
import {
  Adam,
  add,
  EngineRandom,
  gaussianKl,
  reparameterise,
  sigmoidBceClamped,
  type Tensor,
} from '../../engine/browser.js';
import type { BatchMaker } from './batches.js';
import { inputTensor, type VaeModel } from './model.js';

export interface TrainSettings {
  readonly epochs: number;
  readonly learningRate: number;
  readonly weightDecay: number;
}

/** The negative ELBO of a batch, summed over images: BCE summed over pixels plus KL to N(0, I). */
export function batchLoss(model: VaeModel, x: Tensor, noise: EngineRandom): { loss: Tensor; bce: Tensor; kl: Tensor } {
  const { mu, logvar } = model.net.encode(x);
  const logits = model.net.decodeLogits(reparameterise(mu, logvar, noise));
  const bce = sigmoidBceClamped(logits, x);
  const kl = gaussianKl(mu, logvar);
  return { loss: add(bce, kl), bce, kl };
}

/** Trains in place; returns the last epoch's mean loss per image. */
export async function trainVae(
  model: VaeModel,
  batches: BatchMaker,
  settings: TrainSettings,
  noiseSeed: number,
  progress: Progress,
  signal?: AbortSignal,
): Promise<number> {
  const E = model.net.engine;
  const noise = new EngineRandom(noiseSeed);
  const opt = new Adam(Object.values(model.net.params()), {
    lr: settings.learningRate,
    weightDecay: settings.weightDecay,
    decoupled: false,
  });
  const perEpoch = batches.batchesPerEpoch();
  let epochLoss = 0;
  try {
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      epochLoss = 0;
      let done = 0;
      for (const batch of batches.epoch()) {
        signal?.throwIfAborted();
        opt.zeroGrad();
        epochLoss += E.tidy(() => {
          const { loss } = batchLoss(model, inputTensor(model, batch.pixels, batch.count), noise);
          E.backward(loss);
          return loss.item();
        });
        opt.step();
        done++;
        if (done % 16 === 0)
          progress((epoch + done / perEpoch) / settings.epochs, `epoch ${epoch + 1}/${settings.epochs}`);
      }
      progress((epoch + 1) / settings.epochs, `epoch ${epoch + 1}/${settings.epochs}`);
      // Let timers and signal handlers run between epochs (a fit can take minutes).
      await new Promise((resolve) => setTimeout(resolve, 0)); // setTimeout: browsers have no setImmediate
    }
  } finally {
    opt.dispose();
  }
  return epochLoss / batches.itemCount;
}
