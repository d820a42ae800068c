/**
 * The reference PyTorch trainers (examples/external/) through the loop: a few generations of torch_lm.py with
 * every LM metric and a report, a kill-free resume that repeats the run exactly, and torch_vae.py on MNIST
 * when the data set is at hand. Skipped, saying why, where no Python can import torch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resumeExperiment, runExperiment } from '../../experiments/run.js';
import { EXAMPLES_DIR } from './index.js';
import { pythonWith } from './test-helpers/python.js';

const python = pythonWith(['torch']);
if (!python) console.warn('external torch tests skipped: no Python here imports torch (apt-get install python3-torch)');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-torch-'));

/** A text with structure a small transformer learns: short sentences from a little grammar. */
function grammarText(lines: number): string {
  const subjects = ['the cat', 'a dog', 'my bird', 'the old man', 'her friend'];
  const verbs = ['sees', 'likes', 'follows', 'finds'];
  const objects = ['the red ball', 'a green hill', 'the river', 'some bread', 'a quiet town'];
  let seed = 12345;
  const pick = <T>(xs: T[]) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return xs[seed % xs.length];
  };
  return Array.from({ length: lines }, () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)} .`).join('\n');
}

describe.skipIf(!python)('external family with the PyTorch reference trainers', () => {
  it('torch_lm.py: three generations, every LM metric, a report; a resumed copy ends the same', {
    timeout: 120_000,
  }, async () => {
    const file = path.join(root, 'grammar.txt');
    fs.writeFileSync(file, grammarText(1500));
    const config = {
      name: 'torch-lm',
      seed: 3,
      generations: 3,
      samplesPerGeneration: 96,
      checkpointSeconds: 0,
      family: {
        type: 'external' as const,
        command: [python as string, path.join(EXAMPLES_DIR, 'torch_lm.py')],
        trainer: { dModel: 32, layers: 1, heads: 2, context: 48, epochs: 4, batchSize: 16 },
        continuationLength: 16,
        fixedPrompts: 2,
      },
      real: { type: 'text' as const, path: file, blockSize: 16 },
    };
    const run = await runExperiment(config, { out: path.join(root, 'lm') });
    const [g0, , g2] = run.metrics;
    const types = 22; // the grammar's words and '.' (the tokenizer adds a few of its own)
    // Learned: far better than uniform over the vocabulary on held-out text, and its own loss went down.
    expect(g0.testPerplexity as number).toBeLessThan(types / 2);
    expect(g0.trainerLoss as number).toBeLessThan(Math.log(types));
    expect((g0.syntheticPerplexityHistogram as number[]).reduce((a, b) => a + b, 0)).toBe(96);
    expect((g2.continuation1 as number[]).length).toBe(16);
    expect(g2.distinct2 as number).toBeGreaterThan(0);
    const dir = run.runDir as string;
    expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('testPerplexity');
    expect(fs.existsSync(path.join(dir, 'scratch'))).toBe(false);
    // The trainer is deterministic (seeded, one thread): a second run that stops after generation 1 and is
    // resumed (a fresh process, models loaded from the checkpoint) ends with the same metrics line for line.
    const cut = await runExperiment({ ...config, generations: 2 }, { out: path.join(root, 'lm-cut'), report: false });
    const cutDir = cut.runDir as string;
    const configFile = path.join(cutDir, 'config.json');
    const saved = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    fs.writeFileSync(configFile, JSON.stringify({ ...saved, generations: 3 }));
    fs.rmSync(path.join(cutDir, 'summary.json'));
    await resumeExperiment(cutDir, { report: false });
    expect(fs.readFileSync(path.join(cutDir, 'metrics.jsonl'), 'utf8')).toBe(
      fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8'),
    );
  });

  const mnist = process.env.COLLAPSE_LAB_DATA && path.join(process.env.COLLAPSE_LAB_DATA, 'mnist');
  it.skipIf(!mnist || !fs.existsSync(mnist))(
    'torch_vae.py: two generations on MNIST with a sample grid',
    {
      timeout: 120_000,
    },
    async () => {
      const run = await runExperiment(
        {
          name: 'torch-vae',
          generations: 2,
          samplesPerGeneration: 300,
          heldOutSize: 200,
          family: {
            type: 'external-images' as const,
            command: [python as string, path.join(EXAMPLES_DIR, 'torch_vae.py')],
            trainer: { capacity: 8, epochs: 2, batchSize: 64 },
          },
          real: { type: 'mnist' as const },
          snapshotGenerations: [1],
          snapshotSize: 10,
        },
        { out: path.join(root, 'vae'), report: false },
      );
      const [g0, g1] = run.metrics;
      // An ELBO per image: negative, hundreds of nats for a small VAE after two epochs on 300 digits.
      expect(g0.testLogLikelihood as number).toBeLessThan(0);
      expect(g0.testLogLikelihood as number).toBeGreaterThan(-600);
      expect(g1.sampleSpread as number).toBeGreaterThan(0);
      const snapshot = JSON.parse(
        fs.readFileSync(path.join(run.runDir as string, 'samples', 'generation-1.json'), 'utf8'),
      );
      expect(JSON.stringify(snapshot)).toContain('data:image/png;base64,');
    },
  );
});
