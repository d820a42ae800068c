/**
 * The VAE family: the loader's batch schedule, the streamed protocol, training improving the held-out ELBO,
 * save/load, and a small run resumed mid-way ending with bit-identical metrics. Runs on MNIST need the data
 * (COLLAPSE_LAB_DATA); without it those are skipped with a message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelDataset, REAL } from '../../core/dataset.js';
import { Rng } from '../../core/rng.js';
import type { RunData } from '../../core/run-store.js';
import { images } from '../../core/samples.js';
import { type ExperimentInput, parseExperimentConfig } from '../../experiments/config.js';
import { resumeExperiment, runExperiment } from '../../experiments/run.js';
import { BatchMaker, epochBatches } from './batches.js';
import { createVaeFamily } from './family.js';
import { meanWithInterval } from './figures.js';
import { elboPerImage, mean } from './metrics.js';
import { createVae, decodeMeans, generateImages, netSpec, type VaeModel } from './model.js';
import { NODE_VAE_HOST, vaeEngine } from './node-host.js';
import { vaeOptions } from './options.js';
import { trainVae } from './train.js';

const sharedData = process.env.COLLAPSE_LAB_DATA;
const haveMnist = !!sharedData && fs.existsSync(path.join(sharedData, 'mnist', 'train-images-idx3-ubyte.gz'));
if (!haveMnist) console.warn('vae: COLLAPSE_LAB_DATA/mnist not found; skipping the runs on MNIST');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vae-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const E = vaeEngine('auto');
/** A small MLP VAE on 8×8 images: enough to exercise every path in milliseconds. */
function tinyVae(seed: number): VaeModel {
  const spec = netSpec(
    { architecture: 'mlp', latent: 4, capacity: 4, hidden: 16 },
    { width: 8, height: 8, channels: 1 },
  );
  return createVae(E, spec, seed);
}

describe('vae batches', () => {
  it('deal 60,000 images as a shuffled DataLoader does: 234 batches of 256 and one of 96, each image once', () => {
    const batches = epochBatches(60_000, 256, new Rng(1));
    expect(batches.length).toBe(235);
    expect(batches.slice(0, 234).every((b) => b.length === 256)).toBe(true);
    expect(batches[234].length).toBe(96);
    const seen = new Uint8Array(60_000);
    for (const b of batches) for (const i of b) seen[i]++;
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  it('streamed: never train on the same synthetic image twice; real items are used as stored', () => {
    const previous = tinyVae(3);
    // 30 real items and 70 made by generation 4 (a mix policy's set at generation 5)
    const pixels = new Float32Array(100 * 64);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i % 7) / 7;
    const train = labelDataset(images(pixels, 8, 8), REAL);
    for (let i = 30; i < 100; i++) train.origin[i] = 4;
    const streamRng = new Rng(9);
    let drawn = 0;
    const maker = new BatchMaker(train, 16, new Rng(2), {
      origin: 4,
      draw: (count) => {
        drawn += count;
        return generateImages(previous, count, streamRng, 'mean');
      },
    });
    const synthetic = new Set<string>();
    let real = 0;
    for (let epoch = 0; epoch < 3; epoch++)
      for (const batch of maker.epoch()) {
        expect(batch.count).toBeLessThanOrEqual(16);
        for (let s = 0; s < batch.count; s++) {
          const image = batch.pixels.subarray(s * 64, (s + 1) * 64);
          const key = Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('base64');
          if (isStored(image)) real++;
          else {
            expect(synthetic.has(key)).toBe(false);
            synthetic.add(key);
          }
        }
      }
    // Every epoch: the 30 real items once each, and 70 fresh images.
    expect(real).toBe(90);
    expect(synthetic.size).toBe(210);
    expect(drawn).toBe(210);

    function isStored(image: Float32Array): boolean {
      for (let i = 0; i < 100; i++) if (image.every((v, j) => v === pixels[i * 64 + j])) return true;
      return false;
    }
  });
});

describe('vae figures', () => {
  it('band the mean over seeds by its 95% t-interval', () => {
    const run = (latentStd: number) => ({ metrics: [{ generation: 0, latentStd }] }) as unknown as RunData;
    const [row] = meanWithInterval({ label: 'g', runs: [run(1), run(2), run(3)] }, 'latentStd');
    // mean 2, sd 1, n 3: 2 ± t(0.975, 2) / √3 = 2 ± 4.303 / 1.732
    expect(row.value).toBe(2);
    expect(row.hi! - 2).toBeCloseTo(4.303 / Math.sqrt(3), 9);
    expect(2 - row.lo!).toBeCloseTo(4.303 / Math.sqrt(3), 9);
  });
});

describe('vae model', () => {
  it('saves and loads to a model that decodes identically; a bad state names the problem', async () => {
    const family = createVaeFamily(vaeOptions.parse({ type: 'vae', architecture: 'mlp' }), NODE_VAE_HOST);
    const model = tinyVae(5);
    const copy = await family.loadModel(await family.saveModel(model));
    const z = Float32Array.from({ length: 12 }, (_, i) => i / 6 - 1);
    expect(decodeMeans(copy, z, 3)).toEqual(decodeMeans(model, z, 3));
    const state = await family.saveModel(model);
    await expect(
      family.loadModel({ json: state.json, arrays: { ...state.arrays, 'fc1.weight': new Float32Array(3) } }),
    ).rejects.toThrow(/'fc1\.weight' is missing or has the wrong size/);
    await family.dispose?.(model);
    await family.dispose?.(copy);
  });

  it('samples decoder means, or binary images whose average is those means', () => {
    const model = tinyVae(8);
    const means = generateImages(model, 4000, new Rng(1), 'mean');
    const binary = generateImages(model, 4000, new Rng(1), 'bernoulli');
    expect(binary.every((v) => v === 0 || v === 1)).toBe(true);
    // Same latents (same stream), so the binary pixels are Bernoulli(mean): over the pixels whose mean is below
    // 1/2 (where rounding would give only zeros) the ones add up to the means, within 3 standard errors.
    let diff = 0;
    let variance = 0;
    for (let i = 0; i < means.length; i++) {
      if (means[i] >= 0.5) continue;
      diff += binary[i] - means[i];
      variance += means[i] * (1 - means[i]);
    }
    expect(variance).toBeGreaterThan(100);
    expect(Math.abs(diff)).toBeLessThan(3 * Math.sqrt(variance));
  });

  it('refuses a conv VAE on images it cannot take, naming the field', () => {
    expect(() =>
      netSpec({ architecture: 'conv', latent: 2, capacity: 2, hidden: 2 }, { width: 30, height: 30, channels: 1 }),
    ).toThrow(
      /family\.architecture: 'conv' needs square one-channel images with a side divisible by 4 \(got 30×30×1\); use 'mlp'/,
    );
    expect(() =>
      parseExperimentConfig({
        generations: 1,
        samplesPerGeneration: 10,
        family: { type: 'vae', architecture: 'rnn' },
        real: { type: 'mnist' },
      }),
    ).toThrow(/family\.architecture: .*(conv|mlp).*\(got "rnn"\)/);
  });
});

describe.skipIf(!haveMnist)('vae on MNIST', () => {
  it('training improves the ELBO on held-out real images', async () => {
    const { readMnistCached } = await import('../../data/mnist-real.js');
    const train = readMnistCached('train');
    const test = readMnistCached('test');
    const set = (p: Float32Array, n: number) => images(p.subarray(0, n * 784), 28, 28);
    const spec = netSpec({ architecture: 'mlp', latent: 20, capacity: 64, hidden: 400 }, set(train.pixels, 1));
    const model = createVae(E, spec, 11);
    const heldOut = set(test.pixels, 500);
    const before = mean(elboPerImage(model, heldOut, 1).elbo);
    const batches = new BatchMaker(labelDataset(set(train.pixels, 2000), REAL), 64, new Rng(4));
    await trainVae(model, batches, { epochs: 2, learningRate: 1e-3, weightDecay: 1e-5 }, 7, () => {});
    const after = mean(elboPerImage(model, heldOut, 1).elbo);
    // An untrained Bernoulli decoder costs ~784 ln 2 ≈ 543 nats; 2 epochs on 2,000 images reach ~-200.
    expect(before).toBeLessThan(-500);
    expect(after).toBeGreaterThan(-260);
  });

  const config: ExperimentInput = {
    name: 'vae-resume',
    seed: 5,
    generations: 3,
    samplesPerGeneration: 2000,
    heldOutSize: 300,
    checkpointSeconds: 0,
    policy: { type: 'mix', realFraction: 0.25 },
    family: {
      type: 'vae',
      architecture: 'mlp',
      hidden: 64,
      epochs: 1,
      batchSize: 64,
      data: 'streamed',
      init: 'previous',
      latentProbe: 300,
      diversitySamples: 100,
    },
    real: { type: 'mnist' },
  };

  it('runs 2,000 images for 3 generations, and a run resumed mid-way ends with bit-identical metrics', async () => {
    const out = path.join(dir, 'runs');
    const started = performance.now();
    const whole = await runExperiment(config, { out });
    expect(performance.now() - started).toBeLessThan(30_000);
    const lines = fs.readFileSync(path.join(whole.runDir as string, 'metrics.jsonl'), 'utf8');
    const metrics = lines
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.realFraction)).toEqual([1, 0.25, 0.25]);
    for (const m of metrics) {
      expect(m.testElbo).toBeLessThan(0);
      expect(m.latentStd).toBeGreaterThan(0);
      expect(m.meanPairwiseDistance).toBeGreaterThan(0);
      // the digit classifier's view: ten shares summing to 1, an entropy of at most log2 10 bits
      expect(m.digitShares.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 9);
      expect(m.digitEntropy).toBeLessThanOrEqual(Math.log2(10) + 1e-9);
      expect(m.fidLike).toBeGreaterThan(0);
    }
    const stop = new AbortController();
    const cut = runExperiment(config, { out, signal: stop.signal, onGeneration: (_, g) => g === 1 && stop.abort() });
    await expect(cut).rejects.toThrow();
    const interrupted = fs
      .readdirSync(out)
      .map((d) => path.join(out, d))
      .find((d) => !fs.existsSync(path.join(d, 'summary.json'))) as string;
    const resumed = await resumeExperiment(interrupted);
    expect(resumed.summary.resumedFrom).toBe(2);
    expect(fs.readFileSync(path.join(interrupted, 'metrics.jsonl'), 'utf8')).toBe(lines);
    // The report shows the sample grids as inline PNGs.
    const html = fs.readFileSync(path.join(whole.runDir as string, 'report.html'), 'utf8');
    expect(html).toContain('data:image/png;base64,');
    for (const figure of ['vae-samples', 'vae-latent-std', 'vae-quality', 'vae-digits'])
      expect(fs.existsSync(path.join(whole.runDir as string, 'figures', `${figure}.png`))).toBe(true);
  }, 120_000); // the first run on a machine also trains the classifier (~35 s), cached afterwards

  it('trains the conv VAE through the loop', async () => {
    const { metrics } = await runExperiment(
      {
        generations: 2,
        samplesPerGeneration: 256,
        heldOutSize: 100,
        family: { type: 'vae', capacity: 4, epochs: 1, latentProbe: 100, diversitySamples: 50, classifier: false },
        real: { type: 'mnist' },
      },
      { out: null },
    );
    expect(metrics.length).toBe(2);
    expect(Number.isFinite(metrics[1].testElbo)).toBe(true);
  });
});
