/**
 * Where a resumed run starts: the newest checkpoint that is whole (every file it names passes its length and
 * checksum) and consistent with metrics.jsonl (lines for exactly generations 0..g, in order). latest.json
 * names the newest checkpoint and the one before it, whose files are kept until the next commit; when the
 * newest fails, the older one is used and the reason is told. When none fits, resume stops with exit 2 naming
 * what is wrong (the hole in the metrics, the damaged file) and the fix, rather than finishing with a hole.
 */
import type { Dataset } from './dataset.js';
import { bundleToDataset } from './dataset-codec.js';
import { DamagedFileError, RunFolderError } from './errors.js';
import type { Metrics, ModelFamily } from './family.js';
import type { Checkpoint, CheckpointPointer, RunFolder } from './run-folder.js';
import type { MetricsEntry } from './run-store.js';
import type { Samples } from './samples.js';

export interface Restored<S extends Samples, M> {
  /** The checkpoint resumed from; what the next checkpoint keeps as its fallback. */
  readonly checkpoint: Checkpoint;
  /** The checkpoint before it whose files are still kept, if any. */
  readonly fallback: Checkpoint | undefined;
  /** Metrics lines 0..checkpoint.generation (metrics.jsonl has been cut to exactly these). */
  readonly history: Metrics[];
  readonly model: M;
  readonly generationZero: M;
  readonly synthetic: (Dataset<S> | undefined)[];
}

/**
 * Loads the newest usable checkpoint of `folder` (locked by the caller), cuts metrics.jsonl to it and removes
 * checkpoint files nothing names any more. Undefined when the run has no checkpoint yet (start at 0).
 */
export async function restoreCheckpoint<S extends Samples, M>(
  folder: RunFolder,
  family: ModelFamily<S, M>,
  notice: (message: string) => void,
): Promise<Restored<S, M> | undefined> {
  const latest = readPointerOrExplain(folder);
  const entries = folder.readMetricsEntries();
  if (!latest) {
    if (entries.length > 0)
      notice(`${folder.dir} has no checkpoint (checkpoints/latest.json): computing from generation 0 again`);
    return undefined;
  }
  const candidates = [latest, latest.previous].filter((c): c is Checkpoint => c !== undefined);
  const rejected: string[] = [];
  for (const checkpoint of candidates) {
    const hole = metricsHole(entries, checkpoint.generation);
    if (hole) {
      rejected.push(`checkpoint at generation ${checkpoint.generation}: metrics.jsonl ${hole}`);
      continue;
    }
    let loaded: Loaded<S, M>;
    try {
      loaded = await load(folder, family, checkpoint);
    } catch (error) {
      if (!(error instanceof DamagedFileError)) throw error;
      rejected.push(`checkpoint at generation ${checkpoint.generation}: ${error.message}`);
      continue;
    }
    if (rejected.length > 0)
      notice(`${rejected.join('; ')}. Resuming from the checkpoint at generation ${checkpoint.generation} instead.`);
    const kept = entries.slice(0, checkpoint.generation + 1);
    folder.rewriteMetrics(kept.map((e) => e.text));
    const fallback = checkpoint === latest ? latest.previous : undefined;
    folder.removeUnreferencedCheckpoints([checkpoint, fallback]);
    return { checkpoint, fallback, history: kept.map((e) => e.metrics as Metrics), ...loaded };
  }
  throw new RunFolderError(
    `${folder.dir} cannot be resumed from any checkpoint it holds: ${rejected.join('; ')}. ${restartFix(folder.dir)}`,
  );
}

type Loaded<S extends Samples, M> = Pick<Restored<S, M>, 'model' | 'generationZero' | 'synthetic'>;

/** The pointer; a damaged one stops resume with the fixes (it alone knows which checkpoint files are whole). */
function readPointerOrExplain(folder: RunFolder): CheckpointPointer | undefined {
  try {
    return folder.readPointer();
  } catch (error) {
    if (!(error instanceof DamagedFileError)) throw error;
    throw new RunFolderError(`${error.message}. ${restartFix(folder.dir)}`);
  }
}

function restartFix(dir: string): string {
  return `Restore the file(s) from a copy, or recompute every generation in this folder with 'collapse-lab resume ${dir} --restart'`;
}

/** What is wrong with metrics lines 0..generation (undefined: they are exactly those generations, in order). */
export function metricsHole(entries: readonly MetricsEntry[], generation: number): string | undefined {
  for (let g = 0; g <= generation; g++) {
    const entry = entries[g];
    if (entry === undefined)
      return g === 0
        ? `holds no lines, but generations 0..${generation} were recorded`
        : `ends after generation ${g - 1}; generations ${g}..${generation} are missing`;
    if (entry.problem !== undefined) return `line ${g + 1} (generation ${g}) is damaged: ${entry.problem}`;
    const found = entry.metrics.generation;
    if (found !== g) {
      const next = entries.findIndex((e) => e.metrics?.generation === g);
      return next < 0
        ? `line ${g + 1} holds generation ${found} where generation ${g} belongs; generation ${g} is missing`
        : `line ${g + 1} holds generation ${found} where generation ${g} belongs (lines out of order)`;
    }
  }
  return undefined;
}

async function load<S extends Samples, M>(
  folder: RunFolder,
  family: ModelFamily<S, M>,
  checkpoint: Checkpoint,
): Promise<Loaded<S, M>> {
  const model = await loadModel(folder, family, checkpoint.model);
  const generationZero =
    checkpoint.generation === 0 ? model : await loadModel(folder, family, checkpoint.generationZeroModel);
  const synthetic: (Dataset<S> | undefined)[] = [];
  for (const [generation, file] of Object.entries(checkpoint.synthetic)) {
    const bundle = folder.readCheckpointFile(file);
    try {
      synthetic[Number(generation)] = bundleToDataset(bundle) as Dataset<S>;
    } catch (error) {
      throw new DamagedFileError(folder.path('checkpoints', file), `not a synthetic set (${(error as Error).message})`);
    }
  }
  return { model, generationZero, synthetic };
}

/** A model file through the family's loader; a loader that fails on it makes it a damaged file (old, unchecked files). */
async function loadModel<S extends Samples, M>(folder: RunFolder, family: ModelFamily<S, M>, file: string): Promise<M> {
  const bundle = folder.readCheckpointFile(file);
  try {
    return await family.loadModel(bundle);
  } catch (error) {
    throw new DamagedFileError(
      folder.path('checkpoints', file),
      `the family could not load it (${(error as Error).message})`,
    );
  }
}

/** The pointer to commit for a checkpoint at `checkpoint.generation`, keeping `before` as its fallback. */
export function pointerWithFallback(checkpoint: Checkpoint, before: Checkpoint | undefined): CheckpointPointer {
  return before ? { ...checkpoint, previous: stripPrevious(before) } : checkpoint;
}

function stripPrevious(c: Checkpoint): Checkpoint {
  return {
    generation: c.generation,
    model: c.model,
    generationZeroModel: c.generationZeroModel,
    synthetic: c.synthetic,
  };
}
