/**
 * What the `vae` family needs from the runtime it runs in: an engine on a backend, and optionally a judge of its
 * samples (the digit classifier, cached on disk). Node supplies both (node-host.ts); a browser supplies the
 * WebAssembly engine it loaded and no judge (src/playground).
 */
import type { Metrics } from '../../core/family.js';
import type { RealData } from '../../core/real-data.js';
import type { ImageSamples } from '../../core/samples.js';
import type { Engine } from '../../engine/browser.js';
import type { VaeOptions } from './options.js';

/** Scores a generation's images against the real held-out ones: digit shares, confidence, a FID-like distance. */
export interface Judge {
  measure(pixels: Float32Array, count: number): Metrics;
}

export interface VaeHost {
  engine(backend: VaeOptions['backend']): Engine;
  /** The judge for this real data, built once per family, or undefined (no classifier here, or not MNIST). */
  judge?(engine: Engine, real: RealData<ImageSamples>): Judge | undefined;
}
