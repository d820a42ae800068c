/**
 * The playground's starting points: the paper's experiments a browser runs in seconds, taken from the families'
 * own presets (one definition), each shortened only where a browser needs it.
 */
import type { PresetConfig } from '../families/definition.js';
import { type PlaygroundConfig, parsePlaygroundConfig, playgroundFamily } from './catalog.js';

export const PLAYGROUND_EXPERIMENTS = ['dice', 'categorical', 'gaussian', 'gmm', 'gmm-two'] as const;
export type PlaygroundExperiment = (typeof PLAYGROUND_EXPERIMENTS)[number];

/** The family preset behind each experiment, and what the browser changes (fields not listed are the preset's). */
const SOURCES: Record<PlaygroundExperiment, { family: string; changes: Partial<PresetConfig> }> = {
  dice: { family: 'categorical', changes: {} },
  // 1,000 outcomes × 10,000 samples is the paper's scale; 200 generations of it take a second.
  categorical: { family: 'categorical', changes: {} },
  gaussian: { family: 'gaussian', changes: {} },
  // The notebook's 2,001 generations; a smaller held-out set keeps a generation's evaluation cheaper than its fit.
  gmm: { family: 'gmm', changes: { generations: 2000, heldOutSize: 2000 } },
  'gmm-two': { family: 'gmm', changes: { generations: 2000, heldOutSize: 2000 } },
};

/** The experiment's config, validated, with the defaults filled in (what its URL encodes). */
export function defaultPlaygroundConfig(experiment: PlaygroundExperiment): PlaygroundConfig {
  const source = SOURCES[experiment];
  if (!source)
    throw new Error(`unknown playground experiment '${experiment}'; one of ${PLAYGROUND_EXPERIMENTS.join(', ')}`);
  const preset = playgroundFamily(source.family).presets?.[experiment];
  if (!preset) throw new Error(`family '${source.family}' has no preset '${experiment}'`);
  const { snapshotGenerations: _drop, ...config } = { ...preset.config, ...source.changes };
  return parsePlaygroundConfig(config, `playground preset '${experiment}'`);
}
