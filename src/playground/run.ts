/**
 * A playground run: the same loop, family, policy and real data as `collapse-lab run` of the same config, in
 * memory, with a frame per generation for drawing. Nothing here imports Node, so it runs in a Web Worker.
 */
import type { Metrics } from '../core/family.js';
import { runLoop } from '../core/loop.js';
import { buildKnownRealData } from '../data/known-real.js';
import type { TheoryCurve } from '../families/definition.js';
import { createPolicy } from '../policies/index.js';
import { type PlaygroundConfig, parsePlaygroundConfig, playgroundFamily } from './catalog.js';
import { generationView, type PlaygroundView } from './views.js';

export interface PlaygroundFrame {
  readonly generation: number;
  /** The metrics line `collapse-lab run` writes to metrics.jsonl for this generation. */
  readonly metrics: Metrics;
  readonly view: PlaygroundView;
}

export interface PlaygroundOptions {
  onFrame?(frame: PlaygroundFrame): void;
  readonly signal?: AbortSignal;
}

/** Runs `config` (validated here) to its last generation, or until `signal` aborts; returns every metrics line. */
export async function runPlayground(config: PlaygroundConfig, options: PlaygroundOptions = {}): Promise<Metrics[]> {
  const valid = parsePlaygroundConfig(config);
  const definition = playgroundFamily(valid.family.type);
  const real = buildKnownRealData({ ...valid, real: valid.real as never });
  const { metrics } = await runLoop(
    {
      family: definition.create(valid.family) as never,
      policy: createPolicy(valid.policy),
      real: real as never,
      generations: valid.generations,
      samplesPerGeneration: valid.samplesPerGeneration,
      seed: valid.seed,
    },
    undefined,
    {
      signal: options.signal,
      onGeneration: (line, generation, { model, synthetic }) =>
        options.onFrame?.({
          generation,
          metrics: line,
          view: generationView(valid.family.type, model, synthetic, real.truth),
        }),
    },
  );
  return metrics;
}

/** Theory's curve for the config's diversity metric, where a closed form applies (replace, 1-D, own size). */
export function theoryCurve(config: PlaygroundConfig): TheoryCurve | undefined {
  const valid = parsePlaygroundConfig(config);
  return playgroundFamily(valid.family.type).theoryCurve?.(valid, valid.generations);
}
