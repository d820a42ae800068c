// bench/vae: one generation of the `vae` family's training, as the family runs it (shuffled batches, clamped BCE,
// Adam with coupled weight decay), side by side with ../shared/bench/convvae_torch.py and vae_torch.py at the
// same thread count, plus the generation's sampling and evaluation as a share of its time. Prints seconds per
// epoch, the extrapolated seconds per generation, and one `ratio` line per model and thread count (ours /
// PyTorch throughput: above 1 is faster than PyTorch).
// Usage: npm run bench -- vae [--threads 1,2] [--conv-samples 6000] [--mlp-samples 60000] [--repeats 2] [--no-torch]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labelDataset, REAL } from '../dist/core/dataset.js';
import { Rng } from '../dist/core/rng.js';
import { images } from '../dist/core/samples.js';
import { Engine } from '../dist/engine/index.js';
import { loadNativeBackend } from '../dist/engine/native-backend.js';
import { BatchMaker } from '../dist/families/vae/batches.js';
import { featureMoments, MnistClassifier } from '../dist/families/vae/classifier.js';
import { elboPerImage, latentStatistics } from '../dist/families/vae/metrics.js';
import { createVae, disposeVae, generateImages, netSpec } from '../dist/families/vae/model.js';
import { trainVae } from '../dist/families/vae/train.js';
import { findTorchPython, torchEnv } from './_torch.mjs';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    'conv-samples': { type: 'string', default: '6000' },
    'mlp-samples': { type: 'string', default: '60000' },
    repeats: { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const referenceDir = path.resolve(here, '..', '..', 'shared', 'bench');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now() / 1000;
const GENERATION = { images: 60_000, epochs: 30 }; // the notebook's generation

const python = values['no-torch'] ? null : findTorchPython();
if (!python)
  console.log(
    values['no-torch'] ? 'pytorch: disabled (--no-torch)' : 'pytorch: not found (install python3-torch); no ratios',
  );

/** Seconds per epoch of a reference script on `samples` inputs, its thread pools pinned (see bench/engine.mjs). */
function torchEpoch(script, threads, samples) {
  if (!python) return null;
  const t = String(threads);
  const env = torchEnv(threads);
  const args = ['--threads', t, '--samples', String(samples), '--repeats', values.repeats];
  const out = execFileSync(python, [path.join(referenceDir, script), ...args], { encoding: 'utf8', env });
  const match = out.match(/seconds\/epoch ([\d.]+)/);
  return match ? Number(match[1]) : null;
}

/** The references' inputs: Bernoulli(0.2) pixels. */
function inputs(count) {
  const rng = new Rng(5);
  const pixels = new Float32Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.uniform() > 0.8 ? 1 : 0;
  return labelDataset(images(pixels, 28, 28), REAL);
}

const MODELS = {
  conv: { script: 'convvae_torch.py', samples: Number(values['conv-samples']), batch: 256, weightDecay: 1e-5 },
  mlp: { script: 'vae_torch.py', samples: Number(values['mlp-samples']), batch: 128, weightDecay: 0 },
};

for (const threads of values.threads.split(',').map(Number)) {
  const engine = new Engine(loadNativeBackend(threads));
  for (const [architecture, m] of Object.entries(MODELS)) {
    const spec = netSpec(
      { architecture, latent: 20, capacity: 64, hidden: 400 },
      { width: 28, height: 28, channels: 1 },
    );
    const model = createVae(engine, spec, 1);
    const train = inputs(m.samples);
    const settings = { epochs: 1, learningRate: 1e-3, weightDecay: m.weightDecay };
    const epoch = async () => {
      const t = now();
      await trainVae(model, new BatchMaker(train, m.batch, new Rng(2)), settings, 3, () => {});
      return now() - t;
    };
    await epoch(); // warm-up: first-touch allocation of every buffer
    const times = [];
    for (let r = 0; r < Number(values.repeats); r++) times.push(await epoch());
    const ours = median(times);
    // The notebook's protocol streams: each batch is fresh prior samples through the previous decoder.
    const previous = createVae(engine, spec, 4);
    const streamRng = new Rng(6);
    const stream = { origin: REAL, draw: (count) => generateImages(previous, count, streamRng, 'mean') };
    let t0 = now();
    await trainVae(model, new BatchMaker(train, m.batch, new Rng(2), stream), settings, 3, () => {});
    const streamed = now() - t0;
    const theirs = torchEpoch(m.script, threads, m.samples);
    const perImage = ours / m.samples;
    // The generation's other work: its 60,000 samples, then the evaluation (latent statistics on 100 + 10,000
    // prior samples, the ELBO of 10,000 test images, the classifier on 10,000 samples).
    t0 = now();
    const rng = new Rng(7);
    generateImages(model, 2000, rng, 'mean');
    const sampling = ((now() - t0) * GENERATION.images) / 2000;
    t0 = now();
    latentStatistics(model, model, 100, rng);
    latentStatistics(model, model, 2000, rng);
    const judged = generateImages(model, 2000, rng, 'mean');
    elboPerImage(model, images(judged, 28, 28), 1);
    // the digit classifier on 10,000 samples (its one-off training is cached, not part of a generation)
    const classifier = new MnistClassifier(engine, 0);
    featureMoments(classifier.classify(judged, 2000).features);
    classifier.dispose();
    const evaluation = ((now() - t0) * 10_000) / 2000;
    const generation = perImage * GENERATION.images * GENERATION.epochs;
    const streamedGeneration = (streamed / m.samples) * GENERATION.images * GENERATION.epochs;
    console.log(
      `${architecture} VAE, ${threads} thread(s): ${ours.toFixed(2)} s/epoch on ${m.samples} images` +
        (theirs !== null ? ` (PyTorch ${theirs.toFixed(2)})` : '') +
        `; a ${GENERATION.epochs}-epoch generation on ${GENERATION.images} images ≈ ${(generation / 60).toFixed(1)} min training` +
        ` + ${sampling.toFixed(1)} s sampling (${((100 * sampling) / generation).toFixed(1)}%)` +
        ` + ${evaluation.toFixed(1)} s evaluation (${((100 * evaluation) / generation).toFixed(1)}%)` +
        `; streamed (the notebook's protocol) ${streamed.toFixed(2)} s/epoch, ≈ ${(streamedGeneration / 60).toFixed(1)} min training`,
    );
    disposeVae(model);
    disposeVae(previous);
    if (theirs !== null) console.log(`ratio ${architecture}-vae threads=${threads} ${(theirs / ours).toFixed(2)}`);
  }
}
if (!fs.existsSync(referenceDir)) console.log(`pytorch: reference scripts not found in ${referenceDir}`);
