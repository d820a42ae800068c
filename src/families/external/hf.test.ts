/**
 * hf_causal_lm.py (the paper's OPT-125m setup) through the loop, where it can run: a Python with torch and
 * transformers, and a model named by $COLLAPSE_LAB_HF_MODEL (a Hugging Face id already in the cache, or a
 * local folder; a tiny OPT is enough). Skipped with a message otherwise: no weights can be downloaded here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../experiments/run.js';
import { EXAMPLES_DIR } from './index.js';
import { pythonWith } from './test-helpers/python.js';

const model = process.env.COLLAPSE_LAB_HF_MODEL;
const python = model ? pythonWith(['torch', 'transformers']) : undefined;
if (!python)
  console.warn(
    `hf_causal_lm.py test skipped: ${model ? 'no Python here imports torch and transformers' : 'set COLLAPSE_LAB_HF_MODEL to a Hugging Face model id or folder (weights cannot be downloaded here)'}`,
  );

describe.skipIf(!python)('hf_causal_lm.py through the external protocol', () => {
  it('fine-tunes, continues with beam search and scores per word for two generations', {
    timeout: 600_000,
  }, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-hf-'));
    const file = path.join(root, 'text.txt');
    const words = 'the cat sat on the mat and the dog ran to the park where birds sang'.split(' ');
    fs.writeFileSync(file, Array.from({ length: 600 }, (_, i) => words.slice(i % 7, (i % 7) + 8).join(' ')).join('\n'));
    const { metrics } = await runExperiment(
      {
        name: 'hf',
        generations: 2,
        samplesPerGeneration: 16,
        family: {
          type: 'external',
          command: [python as string, path.join(EXAMPLES_DIR, 'hf_causal_lm.py')],
          init: 'base',
          trainer: { model, epochs: 1, batchSize: 8, microBatch: 8, blockSize: 16, device: 'cpu' },
          decoding: { type: 'beam', width: 2, repetitionPenalty: 3 },
          continuationLength: 8,
          fixedPrompts: 1,
        },
        real: { type: 'text', path: file, blockSize: 16 },
      },
      { out: null },
    );
    expect(Number.isFinite(metrics[0].testPerplexity as number)).toBe(true);
    expect((metrics[1].continuation0 as number[]).length).toBe(8);
  });
});
