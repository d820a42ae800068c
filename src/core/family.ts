/**
 * The one interface every model family implements. It is asynchronous because neural families train for
 * minutes (and report progress) and external families live in another process; it saves and restores model
 * state so that a run can be checkpointed and resumed.
 */
import type { Dataset } from './dataset.js';
import type { RealData } from './real-data.js';
import type { Rng } from './rng.js';
import type { SampleKind, Samples } from './samples.js';

/** One generation's measurements: flat camelCase numbers (null where undefined, e.g. an infinite KL), or short arrays. */
export type MetricValue = number | null | readonly number[];
export type Metrics = Record<string, MetricValue>;

/**
 * Model state as JSON plus named typed arrays, so large weights never pass through JSON; a model that lives
 * outside this process (a child process, a GPU trainer) may instead hand over files it wrote itself.
 */
export interface ModelState {
  readonly json: unknown;
  readonly arrays?: Readonly<Record<string, Float64Array | Float32Array | Int32Array | Uint8Array>>;
  /**
   * Files holding the rest of the state, by name (letters, digits, '.', '_', '-') → path. Saving copies them
   * into the checkpoint atomically; a loaded state names those copies, which stay valid until the next checkpoint.
   */
  readonly files?: Readonly<Record<string, string>>;
}

/** Reports the fraction in [0, 1] of the current step (fit, sample, evaluate), with optional detail. */
export type Progress = (fraction: number, message?: string) => void;

export interface FitContext<M> {
  readonly generation: number;
  readonly rng: Rng;
  /** The previous generation's model, for families that fine-tune instead of training from scratch. */
  readonly previous: M | undefined;
  /** The run's real data (its tokenizer, say, for a language model pretrained on a corpus of the user's). */
  readonly real?: RealData;
  /**
   * A durable slot for this generation's fit while it runs, in a run folder: a long fit saves its progress at
   * safe points (an epoch's end) and, resumed after a kill, loads it and goes on from there. What it loads is
   * what this generation saved before, so a family that saves must check it belongs to the same training (the
   * same data and start); the slot is emptied once the generation's checkpoint is written.
   */
  readonly resumable?: {
    load(): Promise<ModelState | undefined>;
    save(state: ModelState): Promise<void>;
  };
  readonly progress: Progress;
  readonly signal?: AbortSignal;
}

export interface SampleContext<S extends Samples = Samples> {
  readonly generation: number;
  readonly rng: Rng;
  /** The real data, for families that generate conditionally (a language model continues real prompts). */
  readonly real: RealData<S>;
  readonly progress: Progress;
  readonly signal?: AbortSignal;
}

export interface EvaluateContext<S extends Samples, M> {
  readonly generation: number;
  readonly rng: Rng;
  readonly real: RealData<S>;
  /** The training set this model was fitted on. */
  readonly train: Dataset<S>;
  /** The synthetic set this model just made (the loop samples before it evaluates). */
  readonly synthetic: S;
  /** Generation 0's model: the reference for distances "from where we started" (the paper's L2 to gen 0). */
  readonly generationZero: M;
  readonly progress: Progress;
  readonly signal?: AbortSignal;
}

export interface SnapshotContext<S extends Samples> {
  readonly generation: number;
  readonly real: RealData<S>;
  readonly metrics: Metrics;
}

/** What a family that keeps resources for the whole run (a trainer process) is given before the first step. */
export interface OpenContext<S extends Samples = Samples> {
  /**
   * A folder of the family's own for bulk data and scratch state: `scratch/` in the run folder (emptied first, so
   * nothing a killed run left is read back), or a temporary folder for a run without one. Removed at close.
   */
  readonly scratch: string;
  /** The run folder, if the run has one (for messages: where to resume). */
  readonly runDir?: string;
  readonly real: RealData<S>;
  readonly seed: number;
  readonly signal?: AbortSignal;
}

export interface ModelFamily<S extends Samples = Samples, M = unknown> {
  readonly name: string;
  readonly sampleKind: SampleKind;
  /** The fewest training items a fit needs (EM: one per component); a policy that leaves fewer is a usage error. */
  readonly minimumItems?: { readonly count: number; readonly why: string };
  fit(train: Dataset<S>, ctx: FitContext<M>): Promise<M>;
  sample(model: M, count: number, ctx: SampleContext<S>): Promise<S>;
  evaluate(model: M, ctx: EvaluateContext<S, M>): Promise<Metrics>;
  /** The model's state, to checkpoint or snapshot; asynchronous so that a model in another process can be asked. */
  saveModel(model: M): Promise<ModelState>;
  loadModel(state: ModelState): Promise<M>;
  /**
   * Per-item scores of `samples` under `model`, higher meaning more plausible: the log-likelihood (log-density
   * or log-probability) for likelihood families, or a family's own quality score (a classifier's confidence).
   * Optional; verifier policies such as `filter` need it.
   */
  score?(model: M, samples: S): Promise<Float64Array>;
  /**
   * What people should read beside the model in a samples/ snapshot (generated text, say), computed from the
   * model, the real data and this generation's metrics line only, so a resumed run writes the same. Optional.
   */
  snapshot?(model: M, ctx: SnapshotContext<S>): Promise<Record<string, unknown>>;
  /** Frees resources a model holds outside the JS heap (native tensors, a child process). */
  dispose?(model: M): Promise<void>;
  /** Called once before anything else in a run (before a resumed run loads its checkpoint). Optional. */
  open?(ctx: OpenContext<S>): Promise<void>;
  /** Called once when the run ends, normally or with an error, after `open`: stop processes, free what is held. */
  close?(): Promise<void>;
}
