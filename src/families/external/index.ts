/**
 * The external families: the user's own trainer (PyTorch, Hugging Face, on a GPU) run as a child process and
 * driven through the loop over a small JSON-lines protocol (docs/external-protocol.md). `external` learns text
 * under the lm room's protocol; `external-vectors` and `external-images` learn fixed-shape float items.
 * Reference trainers are in examples/external/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineFamily } from '../definition.js';
import { lmFigures } from '../lm/figures.js';
import { createExternalArrayFamily, externalImageOptions, externalVectorOptions } from './arrays.js';
import { createExternalTextFamily, externalTextOptions } from './text.js';

/** examples/external/ of this package (from dist/families/external/ or src/families/external/). */
export const EXAMPLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/external');

/**
 * The Python the presets start: $COLLAPSE_LAB_PYTHON, else Debian's /usr/bin/python3 (python3-torch installs
 * torch for exactly that interpreter; a python3 earlier on PATH, a pyenv or a venv, often lacks it).
 */
export function presetPython(): string {
  return process.env.COLLAPSE_LAB_PYTHON || '/usr/bin/python3';
}

const script = (name: string) => path.join(EXAMPLES_DIR, name);

export const externalTextFamily = defineFamily({
  name: 'external',
  description: "your own trainer process (PyTorch, Hugging Face...) as a language model under the paper's LM protocol",
  sampleKind: 'sequences',
  options: externalTextOptions,
  create: createExternalTextFamily,
  // Whatever the trainer costs; measured for torch_lm.py on one CPU core, ~1,000 n-gram generations' worth.
  weight: 20_000,
  diversity: 'distinct2',
  figures: lmFigures,
  presets: {
    'external-torch-lm-quick': {
      description:
        'examples/external/torch_lm.py (a 2-layer PyTorch transformer, d 64, CPU) on the first 500 blocks of WikiText-2 with a 512-type byte-level BPE (test perplexity on the first 32,000 test tokens), 2 epochs a generation, generations 0..2. Needs python3-torch.',
      config: {
        name: 'external-torch-lm-quick',
        generations: 3,
        samplesPerGeneration: 500,
        family: { type: 'external', command: [presetPython(), script('torch_lm.py')] },
        // The first 32,000 tokens of the test split: a transformer on one CPU core scores ~4,000 tokens a second.
        real: { type: 'wikitext', tokenizer: { type: 'bpe', vocabSize: 512 }, heldOutTokens: 32_000 },
        snapshotGenerations: [0, 1, 2],
      },
    },
  },
});

export const externalVectorFamily = defineFamily({
  name: 'external-vectors',
  description: 'your own trainer process on fixed-length real vectors (a normalising flow, a VAE...)',
  sampleKind: 'vectors',
  options: externalVectorOptions,
  create: createExternalArrayFamily,
  weight: 20_000,
  diversity: 'sampleSpread',
});

export const externalImageFamily = defineFamily({
  name: 'external-images',
  description: "your own trainer process on images (the paper's conv VAE in PyTorch, on a GPU...)",
  sampleKind: 'images',
  options: externalImageOptions,
  create: createExternalArrayFamily,
  weight: 20_000,
  diversity: 'sampleSpread',
  presets: {
    'external-torch-vae-quick': {
      description:
        "examples/external/torch_vae.py (the paper's conv VAE in PyTorch, capacity 16, CPU) on 2,000 MNIST images, 3 epochs a generation, generations 0..3. Needs python3-torch.",
      config: {
        name: 'external-torch-vae-quick',
        generations: 4,
        samplesPerGeneration: 2000,
        heldOutSize: 1000,
        family: {
          type: 'external-images',
          command: [presetPython(), script('torch_vae.py')],
          trainer: { capacity: 16, epochs: 3, batchSize: 128 },
        },
        real: { type: 'mnist' },
        snapshotGenerations: [0, 1, 2, 3],
        snapshotSize: 100,
      },
    },
  },
});
