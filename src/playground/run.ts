/**
 * A playground run: the same loop, family, policy and real data as `collapse-lab run` of the same config, in
 * memory, with a frame per generation for drawing. Nothing here imports Node, so it runs in a Web Worker.
 */
import type { Metrics, ModelFamily } from '../core/family.js';
import { runLoop } from '../core/loop.js';
import type { RealData } from '../core/real-data.js';
import type { Samples } from '../core/samples.js';
import { buildKnownRealData, type KnownRealConfig, realDraw } from '../data/known-real.js';
import { mnistRealDataFrom } from '../data/mnist-real-data.js';
import type { MnistSet } from '../data/mnist-set.js';
import type { Engine } from '../engine/browser.js';
import type { TheoryCurve } from '../families/definition.js';
import type { VaeHost } from '../families/vae/host.js';
import { createPolicy } from '../policies/index.js';
import { NO_ENGINE, type PlaygroundConfig, parsePlaygroundConfig, playgroundFamily } from './catalog.js';
import { generationView, imageView, type PlaygroundView } from './views.js';

export interface PlaygroundFrame {
  readonly generation: number;
  /** The metrics line `collapse-lab run` writes to metrics.jsonl for this generation. */
  readonly metrics: Metrics;
  readonly view: PlaygroundView;
}

export interface PlaygroundOptions {
  onFrame?(frame: PlaygroundFrame): void;
  readonly signal?: AbortSignal;
  /** The engine the vae family trains on (a page loads the WebAssembly backend: engine/browser.ts). */
  readonly engine?: Engine;
  /** MNIST for `real: {type: 'mnist'}`: at least real.trainImages training and heldOutSize test images. */
  readonly mnist?: { readonly train: MnistSet; readonly test: MnistSet };
}

/** Runs `config` (validated here) to its last generation, or until `signal` aborts; returns every metrics line. */
export async function runPlayground(config: PlaygroundConfig, options: PlaygroundOptions = {}): Promise<Metrics[]> {
  const valid = parsePlaygroundConfig(config);
  const real = realData(valid, options);
  const engine = options.engine;
  const host: VaeHost = engine ? { engine: () => engine } : NO_ENGINE;
  const family = playgroundFamily(valid.family.type, host).create(valid.family) as ModelFamily<Samples, unknown>;
  const { metrics } = await runLoop(
    {
      family: family as never,
      policy: createPolicy(valid.policy),
      real: real as never,
      generations: valid.generations,
      samplesPerGeneration: valid.samplesPerGeneration,
      seed: valid.seed,
    },
    undefined,
    {
      signal: options.signal,
      onGeneration: async (line, generation, { model, synthetic }) => {
        if (!options.onFrame) return;
        // An image family draws its own picture (its snapshot's sample grid); the others, model against truth.
        const view =
          family.sampleKind === 'images'
            ? imageView((await family.snapshot?.(model, { generation, real, metrics: line })) ?? {})
            : generationView(valid.family.type, model, synthetic, real.truth);
        options.onFrame({ generation, metrics: line, view });
      },
    },
  );
  return metrics;
}

function realData(config: PlaygroundConfig, options: PlaygroundOptions): RealData {
  if (config.real.type !== 'mnist') return buildKnownRealData({ ...config, real: config.real as KnownRealConfig });
  if (!options.mnist)
    throw new Error("real.type 'mnist' needs the images: pass runPlayground(config, { mnist: { train, test } })");
  const { poolSize, rng } = realDraw(config);
  return mnistRealDataFrom(options.mnist.train, options.mnist.test, config.real, poolSize, config.heldOutSize, rng);
}

/** Theory's curve for the config's diversity metric, where a closed form applies (replace, 1-D, own size). */
export function theoryCurve(config: PlaygroundConfig): TheoryCurve | undefined {
  const valid = parsePlaygroundConfig(config);
  return playgroundFamily(valid.family.type).theoryCurve?.(valid, valid.generations);
}
