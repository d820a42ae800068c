import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMnistCached } from '../../data/mnist-real.js';
import { classifierMetrics, featureMoments, frechetDistance, mnistClassifier } from './classifier.js';
import { vaeEngine } from './node-host.js';

const sharedData = process.env.COLLAPSE_LAB_DATA;
const haveMnist = !!sharedData && fs.existsSync(path.join(sharedData, 'mnist', 'train-images-idx3-ubyte.gz'));
if (!haveMnist) console.warn('vae classifier: COLLAPSE_LAB_DATA/mnist not found; skipping the accuracy check');

describe('Fréchet distance', () => {
  it('is ‖Δμ‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) on a hand-computed case, and 0 for identical features', () => {
    // diagonal covariances diag(1, 4) and diag(4, 1): tr = 5 + 5 − 2(2 + 2) = 2; means 3 apart: 9.
    const a = { mean: Float64Array.of(0, 0), covariance: Float64Array.of(1, 0, 0, 4) };
    const b = { mean: Float64Array.of(3, 0), covariance: Float64Array.of(4, 0, 0, 1) };
    expect(frechetDistance(a, b, 2)).toBeCloseTo(11, 9);
    const features = Float32Array.from({ length: 64 * 200 }, (_, i) => Math.sin(i * 0.37) + (i % 5));
    const m = featureMoments(features);
    expect(frechetDistance(m, m)).toBeCloseTo(0, 4);
  });
});

describe.skipIf(!haveMnist)('MNIST classifier', () => {
  it('reaches ≥ 98% on the real test set, is cached by checksum, and sees real test images as real', () => {
    const engine = vaeEngine('auto');
    const train = readMnistCached('train');
    const test = readMnistCached('test');
    let t = performance.now();
    // The user cache, as in a run: trained (~35 s) on the first run on a machine, loaded afterwards.
    const classifier = mnistClassifier(engine, train);
    console.log(`classifier trained or loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const accuracy = classifier.accuracy(test);
    console.log(`classifier test accuracy ${(100 * accuracy).toFixed(2)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
    t = performance.now();
    const cached = mnistClassifier(engine, train);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(cached.accuracy(test)).toBe(accuracy);
    const half = 5000 * 784;
    const real = featureMoments(classifier.classify(test.pixels.subarray(0, half), 5000).features);
    const m = classifierMetrics(classifier, test.pixels.subarray(half), 5000, real);
    // Real digits: every class present (entropy near log2 10 = 3.32), confident, and a small distance.
    expect(m.digitEntropy).toBeGreaterThan(3.2);
    expect(m.classifierConfidence).toBeGreaterThan(0.95);
    const noise = Float32Array.from({ length: 5000 * 784 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1 ** 2);
    expect(classifierMetrics(classifier, noise, 5000, real).fidLike).toBeGreaterThan(20 * m.fidLike);
    classifier.dispose();
    cached.dispose();
  }, 120_000);
});
