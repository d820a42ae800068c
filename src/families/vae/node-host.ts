/** The `vae` family's host in Node: engines on any backend (native first), and the cached digit classifier. */
import { readMnistCached } from '../../data/mnist-real.js';
import { MNIST_PIXELS } from '../../data/mnist-set.js';
import { type BackendChoice, createEngine, type Engine } from '../../engine/index.js';
import { classifierMetrics, featureMoments, mnistClassifier } from './classifier.js';
import type { VaeHost } from './host.js';

const engines = new Map<BackendChoice, Engine>();

/** One engine per backend choice for the process: kernels are compiled and threads started once. */
export function vaeEngine(choice: BackendChoice): Engine {
  let engine = engines.get(choice);
  if (!engine) {
    engine = createEngine(choice).engine;
    engines.set(choice, engine);
  }
  return engine;
}

export const NODE_VAE_HOST: VaeHost = {
  engine: vaeEngine,
  judge(engine, real) {
    if (real.dataset?.name !== 'mnist') return undefined;
    const classifier = mnistClassifier(engine, readMnistCached('train', real.dataset.dataDir));
    const n = real.heldOut.pixels.length / MNIST_PIXELS;
    const reference = featureMoments(classifier.classify(real.heldOut.pixels, n).features);
    return { measure: (pixels, count) => classifierMetrics(classifier, pixels, count, reference) };
  },
};
