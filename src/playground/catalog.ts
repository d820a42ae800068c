/**
 * The families a browser runs, and the config schema over them: the CLI's schema (experiments/config-schema.ts)
 * built over this smaller catalog, so a playground config is a config file the CLI runs to the same numbers.
 * Real data: the known distributions, and MNIST from bytes the page fetched.
 */
import { z } from 'zod';
import { KNOWN_REAL_SAMPLE_KINDS, knownRealSchemas } from '../data/known-real.js';
import { mnistRealSchema } from '../data/mnist-real-data.js';
import type { RealConfig } from '../data/real-data.js';
import {
  buildExperimentSchema,
  type ConfigCatalog,
  type ExperimentConfig,
  parseConfigWith,
} from '../experiments/config-schema.js';
import { categoricalFamily } from '../families/categorical/index.js';
import type { FamilyDefinition } from '../families/definition.js';
import { gaussianFamily } from '../families/gaussian/index.js';
import { gmmFamily } from '../families/gmm/index.js';
import { defineVaeFamily } from '../families/vae/define.js';
import type { VaeHost } from '../families/vae/host.js';

/** No engine: enough to parse configs; a run passes the engine its page loaded (run.ts). */
export const NO_ENGINE: VaeHost = {
  engine: () => {
    throw new Error('the vae family needs an engine: pass runPlayground(config, { engine })');
  },
};

/** The families a browser runs; the vae on `host`, the runtime that gives it an engine. */
export function playgroundDefinitions(host: VaeHost): readonly FamilyDefinition[] {
  return [
    categoricalFamily as unknown as FamilyDefinition,
    gaussianFamily as unknown as FamilyDefinition,
    gmmFamily as unknown as FamilyDefinition,
    defineVaeFamily(host) as unknown as FamilyDefinition,
  ];
}

export const PLAYGROUND_FAMILY_DEFINITIONS = playgroundDefinitions(NO_ENGINE);

const catalog: ConfigCatalog = {
  families: PLAYGROUND_FAMILY_DEFINITIONS,
  realSchema: z.discriminatedUnion('type', [
    ...knownRealSchemas,
    mnistRealSchema,
  ]) as unknown as ConfigCatalog['realSchema'],
  realKinds: { ...KNOWN_REAL_SAMPLE_KINDS, mnist: 'images' },
};
const schema = buildExperimentSchema(catalog);

/** A validated playground config: an experiment config whose family and real data a browser can run. */
export type PlaygroundConfig = ExperimentConfig & { readonly real: RealConfig };

/** Validates `input` (defaults filled in as the CLI fills them); a UsageError names every bad field. */
export function parsePlaygroundConfig(input: unknown, source = 'playground config'): PlaygroundConfig {
  return parseConfigWith(schema, catalog, input, source) as PlaygroundConfig;
}

export function playgroundFamily(name: string, host = NO_ENGINE): FamilyDefinition {
  const definitions = host === NO_ENGINE ? PLAYGROUND_FAMILY_DEFINITIONS : playgroundDefinitions(host);
  const found = definitions.find((d) => d.name === name);
  if (!found) throw new Error(`the playground has no family '${name}'`);
  return found;
}
