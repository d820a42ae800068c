/**
 * The recursive-training loop. For g = 0..G-1:
 *
 *   1. the training set: the real pool for g = 0, else what the data policy builds from the real pool and the
 *      synthetic sets so far (provenance travels with every item);
 *   2. fit generation g's model (the family may warm-start from g-1's);
 *   3. sample generation g's synthetic set (M items, origin g);
 *   4. evaluate the model (and its synthetic set) against held-out real data and, where known, the truth;
 *   5. append one metrics line; from time to time write a checkpoint.
 *
 * Every random draw comes from deriveRng(seed, g, purpose), so resuming from a checkpoint reproduces exactly
 * the numbers an uninterrupted run draws.
 */

import { pointerWithFallback, restoreCheckpoint } from './checkpoint-restore.js';
import { type Dataset, datasetSize, labelDataset, REAL, realShare } from './dataset.js';
import { datasetToBundle, modelStateToBundle, samplesToJson } from './dataset-codec.js';
import { UsageError } from './errors.js';
import type { FitContext, Metrics, ModelFamily } from './family.js';
import type { DataPolicy, Scorer } from './policy.js';
import type { RealData } from './real-data.js';
import { deriveRng } from './rng.js';
import type { Checkpoint, RunFolder } from './run-folder.js';
import type { Samples } from './samples.js';

export interface LoopSpec<S extends Samples, M> {
  readonly family: ModelFamily<S, M>;
  readonly policy: DataPolicy<S>;
  readonly real: RealData<S>;
  readonly generations: number;
  readonly samplesPerGeneration: number;
  readonly seed: number;
  /** Generations whose samples and model are written to samples/ for people and reports. */
  readonly snapshotGenerations?: readonly number[];
  /** How many items a snapshot keeps. */
  readonly snapshotSize?: number;
  /** Minimum seconds between checkpoints (the last generation is always checkpointed). 0: every generation. */
  readonly checkpointSeconds?: number;
  /** Ends the run after the first generation whose metrics line meets it (checked again on resume). */
  readonly stopWhen?: (line: Metrics) => boolean;
}

export type Stage = 'policy' | 'fit' | 'sample' | 'evaluate';

/** What a generation made, for hooks that draw it (the playground): the fitted model and its synthetic set. */
export interface GenerationDetail<S extends Samples = Samples, M = unknown> {
  readonly model: M;
  readonly synthetic: S;
}

/** A place for a family's bulk files when there is no run folder (run.ts passes a temporary directory). */
export interface ScratchSpace {
  create(): string;
  remove(dir: string): void;
}

export interface LoopHooks {
  /** Awaited when it returns a promise (a hook that draws the generation's model before it is disposed). */
  onGeneration?(line: Metrics, generation: number, detail: GenerationDetail): unknown;
  onStage?(generation: number, stage: Stage, fraction: number, message?: string): void;
  /** Something a person should know that is not an error (resume fell back to an older checkpoint); default: stderr. */
  onNotice?(message: string): void;
  readonly signal?: AbortSignal;
  /** Scratch for a family with `open` (a trainer process) when there is no folder; a folder has its own. */
  readonly scratch?: ScratchSpace;
}

export interface LoopResult {
  readonly metrics: Metrics[];
  /** The generation the stop rule ended the run at, or null when every generation ran. */
  readonly stoppedAt: number | null;
  /** The generation the loop started from (0, or one past the checkpoint it resumed). */
  readonly startGeneration: number;
}

/** Runs (or resumes, when `folder` holds a checkpoint) the loop; without a folder nothing is written. */
export async function runLoop<S extends Samples, M>(
  spec: LoopSpec<S, M>,
  folder?: RunFolder,
  hooks: LoopHooks = {},
): Promise<LoopResult> {
  const { family } = spec;
  if (!family.open) return generationsLoop(spec, folder, hooks);
  // A family that holds resources for the run (a trainer process) gets a scratch folder, and is closed after
  // an error too; the scratch folder goes with it, so a run folder never keeps half-written scratch files.
  const space: ScratchSpace | undefined = folder
    ? { create: () => folder.freshScratch(), remove: () => folder.removeScratch() }
    : hooks.scratch;
  if (!space)
    throw new Error(`family '${family.name}' needs a scratch folder: give runLoop a run folder or hooks.scratch`);
  const scratch = space.create();
  try {
    await family.open({ scratch, runDir: folder?.dir, real: spec.real, seed: spec.seed, signal: hooks.signal });
    return await generationsLoop(spec, folder, hooks);
  } finally {
    try {
      await family.close?.();
    } finally {
      space.remove(scratch);
    }
  }
}

async function generationsLoop<S extends Samples, M>(
  spec: LoopSpec<S, M>,
  folder: RunFolder | undefined,
  hooks: LoopHooks,
): Promise<LoopResult> {
  const { family, policy, real, generations: G, samplesPerGeneration: M, seed } = spec;
  const snapshots = new Set(spec.snapshotGenerations ?? []);
  const checkpointMs = (spec.checkpointSeconds ?? 2) * 1000;

  const synthetic: (Dataset<S> | undefined)[] = [];
  let history: Metrics[] = [];
  let previous: M | undefined;
  let generationZero: M | undefined;
  let start = 0;

  // The checkpoint last committed and the one before it (its fallback, whose files are kept until the next commit).
  let written: Checkpoint | undefined;
  let fallback: Checkpoint | undefined;
  if (folder) {
    // console.warn: stderr in Node, and no `process` in a browser.
    const notice = hooks.onNotice ?? ((message: string) => console.warn(`collapse-lab: ${message}`));
    const restored = await restoreCheckpoint(folder, family, notice);
    if (restored) {
      history = restored.history;
      previous = restored.model;
      generationZero = restored.generationZero;
      restored.synthetic.forEach((set, generation) => {
        synthetic[generation] = set;
      });
      written = restored.checkpoint;
      fallback = restored.fallback;
      start = written.generation + 1;
    } else {
      folder.rewriteMetrics([]); // killed before the first checkpoint: start clean
    }
  }

  // progress.json, so other processes see where a live run is (and that it is alive).
  const heartbeat = folder?.heartbeat(G);
  if (start < G) heartbeat?.beat(start, start === 0 ? 'fit' : 'policy', 0, undefined, true);
  let lastCheckpoint = Date.now();

  // The held-out real-data model is fitted on first use from its own stream, so a resumed run refits the same.
  let heldOutModel: Promise<M> | undefined;
  const scoreWith = (prior: M | undefined): Scorer<S> | undefined => {
    const score = family.score?.bind(family);
    if (!score) return undefined;
    return (which, samples) => {
      if (which === 'held-out') {
        heldOutModel ??= family.fit(labelDataset(real.heldOut, REAL), {
          generation: -1,
          rng: deriveRng(seed, -1, 'held-out-model'),
          previous: undefined,
          progress: () => {},
          signal: hooks.signal,
        });
        return heldOutModel.then((m) => score(m, samples));
      }
      return score((which === 'previous' ? prior : generationZero) as M, samples);
    };
  };

  // A run killed after its stop rule was met, before its summary was written, has nothing left to do.
  const stoppedBefore = start > 0 && history.length > 0 && (spec.stopWhen?.(history[history.length - 1]) ?? false);
  for (let g = stoppedBefore ? G : start; g < G; g++) {
    hooks.signal?.throwIfAborted();
    // A stage's progress callback; making it marks the stage's start in the heartbeat.
    const stage = (name: Stage) => {
      heartbeat?.beat(g, name, 0);
      return (fraction: number, message?: string) => {
        heartbeat?.beat(g, name, fraction, message);
        hooks.onStage?.(g, name, fraction, message);
      };
    };

    let train: Dataset<S>;
    let policyMetrics: Metrics = {};
    if (g === 0) {
      train = real.pool;
    } else {
      heartbeat?.beat(g, 'policy', 0);
      const built = await policy.build({
        generation: g,
        real: real.pool,
        synthetic,
        history,
        samplesPerGeneration: M,
        rng: deriveRng(seed, g, 'policy'),
        score: scoreWith(previous),
      });
      train = built.train;
      policyMetrics = built.metrics ?? {};
      const need = family.minimumItems;
      const size = datasetSize(train);
      if (size === 0 || (need && size < need.count))
        throw new UsageError(
          `generation ${g}: policy '${policy.name}' left ${size === 0 ? 'no items' : `${size} item(s)`} to train on${
            need && size > 0 ? ` (${need.why})` : ''
          }; raise samplesPerGeneration (now ${M}) or make the policy keep more`,
        );
    }

    const model = await family.fit(train, {
      generation: g,
      rng: deriveRng(seed, g, 'fit'),
      previous,
      real,
      ...(folder ? { resumable: fitProgressSlot(folder, g) } : {}),
      progress: stage('fit'),
      signal: hooks.signal,
    });
    if (g === 0) generationZero = model;

    const made = await family.sample(model, M, {
      generation: g,
      rng: deriveRng(seed, g, 'sample'),
      real,
      progress: stage('sample'),
      signal: hooks.signal,
    });
    const familyMetrics = await family.evaluate(model, {
      generation: g,
      rng: deriveRng(seed, g, 'evaluate'),
      real,
      train,
      synthetic: made,
      generationZero: generationZero as M,
      progress: stage('evaluate'),
      signal: hooks.signal,
    });

    synthetic[g] = labelDataset(made, g);
    if (policy.retains === 'latest' && g >= 1) synthetic[g - 1] = undefined;

    const line: Metrics = {
      generation: g,
      trainSize: datasetSize(train),
      realFraction: realShare(train),
      ...policyMetrics,
      ...familyMetrics,
    };
    history.push(line);
    const stop = spec.stopWhen?.(line) ?? false;

    if (folder) {
      folder.appendMetrics(line);
      if (snapshots.has(g)) {
        const notes = await family.snapshot?.(model, { generation: g, real, metrics: line });
        folder.writeSnapshot(g, await family.saveModel(model), samplesToJson(made, spec.snapshotSize ?? 2000), notes);
      }
      const due = g === G - 1 || stop || Date.now() - lastCheckpoint >= checkpointMs;
      if (due) {
        const committed = await writeCheckpoint(folder, family, policy, g, model, generationZero as M, synthetic, {
          before: written,
          stale: fallback,
        });
        [written, fallback] = [committed, written];
        lastCheckpoint = Date.now();
        folder.removeFitProgress(g); // a resume starts after g now: its fits' progress is no longer needed
      }
    }
    await hooks.onGeneration?.(line, g, { model, synthetic: made });

    if (previous !== undefined && previous !== generationZero) await family.dispose?.(previous);
    previous = model;
    if (stop) break;
  }
  folder?.closeMetrics();
  if (heldOutModel) await family.dispose?.(await heldOutModel);
  const last = history[history.length - 1];
  const stoppedAt = history.length < G && last && spec.stopWhen?.(last) ? (last.generation as number) : null;
  return { metrics: history, startGeneration: start, stoppedAt };
}

/**
 * Writes generation g's checkpoint files, then commits the pointer naming them with `before` as its fallback;
 * only then do the files go that only `stale` (the checkpoint before `before`) named.
 */
async function writeCheckpoint<S extends Samples, M>(
  folder: RunFolder,
  family: ModelFamily<S, M>,
  policy: DataPolicy<S>,
  g: number,
  model: M,
  generationZero: M,
  synthetic: readonly (Dataset<S> | undefined)[],
  { before, stale }: { readonly before: Checkpoint | undefined; readonly stale: Checkpoint | undefined },
): Promise<Checkpoint> {
  const modelFile = `model-g${g}.bin`;
  const zeroFile = 'model-g0.bin';
  folder.writeCheckpointFile(modelFile, modelStateToBundle(await family.saveModel(model)));
  if (g > 0 && !folder.hasCheckpointFile(zeroFile)) {
    folder.writeCheckpointFile(zeroFile, modelStateToBundle(await family.saveModel(generationZero)));
  }
  const keep = policy.retains === 'all' ? synthetic.map((_, h) => h).filter((h) => synthetic[h]) : [g];
  const files: Record<string, string> = {};
  for (const h of keep) {
    const file = `synthetic-g${h}.bin`;
    // Synthetic sets never change once made, so a file already written by an earlier checkpoint is kept.
    if (!before?.synthetic[h] || !folder.hasCheckpointFile(file)) {
      folder.writeCheckpointFile(file, datasetToBundle(synthetic[h] as Dataset));
    }
    files[h] = file;
  }
  const checkpoint: Checkpoint = { generation: g, model: modelFile, generationZeroModel: zeroFile, synthetic: files };
  folder.commitCheckpoint(pointerWithFallback(checkpoint, before));
  if (stale) {
    const named = new Set([...checkpointFiles(checkpoint), ...(before ? checkpointFiles(before) : [])]);
    for (const file of checkpointFiles(stale)) if (!named.has(file)) folder.removeCheckpointFile(file);
  }
  return checkpoint;
}

/** FitContext.resumable for generation g, in the run folder. */
function fitProgressSlot(folder: RunFolder, g: number): NonNullable<FitContext<unknown>['resumable']> {
  return {
    load: async () => {
      const bundle = folder.readFitProgress(g);
      return bundle && { json: bundle.json, arrays: bundle.arrays, ...(bundle.files ? { files: bundle.files } : {}) };
    },
    save: async (state) => folder.writeFitProgress(g, modelStateToBundle(state)),
  };
}

function checkpointFiles(c: Checkpoint): string[] {
  return [c.model, c.generationZeroModel, ...Object.values(c.synthetic)];
}
