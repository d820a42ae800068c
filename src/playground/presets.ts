/**
 * The playground's starting points: the paper's experiments a browser runs in seconds, taken from the families'
 * own presets (one definition), each shortened only where a browser needs it.
 */
import type { PresetConfig } from '../families/definition.js';
import { type PlaygroundConfig, parsePlaygroundConfig, playgroundFamily } from './catalog.js';

export const PLAYGROUND_EXPERIMENTS = ['dice', 'categorical', 'gaussian', 'gmm', 'gmm-two', 'vae'] as const;
export type PlaygroundExperiment = (typeof PLAYGROUND_EXPERIMENTS)[number];

/** The family preset behind each experiment, and what the browser changes (fields not listed are the preset's). */
const SOURCES: Record<PlaygroundExperiment, { family: string; preset?: string; changes: Partial<PresetConfig> }> = {
  dice: { family: 'categorical', changes: {} },
  // 1,000 outcomes × 10,000 samples is the paper's scale; 200 generations of it take a second.
  categorical: { family: 'categorical', changes: {} },
  gaussian: { family: 'gaussian', changes: {} },
  // The notebook's 2,001 generations; a smaller held-out set keeps a generation's evaluation cheaper than its fit.
  gmm: { family: 'gmm', changes: { generations: 2000, heldOutSize: 2000 } },
  'gmm-two': { family: 'gmm', changes: { generations: 2000, heldOutSize: 2000 } },
  // vae-quick on a slice a page can fetch (2,000 training images), on the WebAssembly engine a page has, without
  // the digit classifier (trained on all of MNIST, cached on disk): ~1 s a generation.
  vae: {
    family: 'vae',
    preset: 'vae-quick',
    changes: {
      generations: 10,
      samplesPerGeneration: 2000,
      heldOutSize: 500,
      real: { type: 'mnist', trainImages: 2000 },
      family: {
        type: 'vae',
        architecture: 'mlp',
        epochs: 5,
        batchSize: 128,
        data: 'streamed',
        classifier: false,
        backend: 'wasm',
        latentProbe: 1000,
        diversitySamples: 300,
      },
    },
  },
};

/** The experiment's config, validated, with the defaults filled in (what its URL encodes). */
export function defaultPlaygroundConfig(experiment: PlaygroundExperiment): PlaygroundConfig {
  const source = SOURCES[experiment];
  if (!source)
    throw new Error(`unknown playground experiment '${experiment}'; one of ${PLAYGROUND_EXPERIMENTS.join(', ')}`);
  const name = source.preset ?? experiment;
  const preset = playgroundFamily(source.family).presets?.[name];
  if (!preset) throw new Error(`family '${source.family}' has no preset '${name}'`);
  const merged: PresetConfig = { ...preset.config, ...source.changes, name: experiment };
  const { snapshotGenerations: _drop, snapshotSize: _size, ...config } = merged;
  return parsePlaygroundConfig(config, `playground preset '${experiment}'`);
}
