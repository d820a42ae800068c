/**
 * Named experiments (`collapse-lab run <preset>`): each family folder defines its own presets; this is the view
 * over all of them, and the default snapshot schedule.
 */
import { allPresets } from '../families/index.js';

export type { Preset } from '../families/index.js';
export { allPresets as presets, findPreset } from '../families/index.js';

/** Preset names, for help texts and errors. */
export function presetNames(): string[] {
  return Object.keys(allPresets());
}

/** Snapshot generations when a config names none: 0, a few spread out logarithmically, and the last. */
export function defaultSnapshots(generations: number): number[] {
  const last = generations - 1;
  const picks = new Set([0, last]);
  for (let g = 1; g < last; g *= 4) picks.add(g);
  return [...picks].sort((a, b) => a - b);
}
