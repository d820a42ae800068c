/**
 * A run is a folder:
 *
 *   config.json      the resolved, validated config
 *   metrics.jsonl    one JSON object per finished generation, appended and flushed as each finishes
 *   checkpoints/     latest.json (the pointer) + model and synthetic-set files it names
 *   samples/         what people look at: synthetic samples and fitted models at chosen generations
 *   summary.json     written when the run ends
 *   progress.json    the heartbeat: generation, phase, fraction, time, pid, host (progress-heartbeat.ts)
 *   lock             while a process runs or resumes it (run-lock.ts): one writer at a time
 *
 * Crash safety: every file but metrics.jsonl is written atomically (temp file, fsync, rename), whole or not at
 * all even on a full disk. metrics.jsonl is append-only; `latest.json` records the generation it has been
 * checkpointed to (and the checkpoint before, kept as a fallback), and on resume any lines past the checkpoint
 * (or a torn last line) are dropped and recomputed — derived randomness makes them identical, so a killed and
 * resumed run ends with exactly the metrics of an uninterrupted one (checkpoint-restore.ts). Checkpoint files
 * carry their length and a checksum (bundle.ts).
 *
 * A folder may come from elsewhere, so nothing read from it is trusted: files go through schemas
 * (run-schemas.ts), paths must stay inside (run-paths.ts), and cleaning up deletes only files this code names.
 *
 * RunFolder is the writer; what it reads back goes through the run store (run-store.ts), the one reader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { copyFileAtomic, writeAll, writeFileAtomic, writeJsonAtomic } from './atomic-file.js';
import { type Bundle, decodeBundle, encodeBundle } from './bundle.js';
import { metricsCsv } from './csv.js';
import { modelStateToJson } from './dataset-codec.js';
import { DamagedFileError } from './errors.js';
import type { Metrics, ModelState } from './family.js';
import { ProgressHeartbeat } from './progress-heartbeat.js';
import { RunLock } from './run-lock.js';
import { insideRunFolder } from './run-paths.js';
import { MODEL_FILE, SYNTHETIC_FILE } from './run-schemas.js';
import {
  assertRunFolder,
  type Checkpoint,
  type CheckpointPointer,
  FILES,
  type MetricsEntry,
  type Progress,
  readMetrics,
  readMetricsEntries,
  readPointer,
  readRunConfig,
  readSummary,
} from './run-store.js';

export { type Checkpoint, type CheckpointPointer, FILES } from './run-store.js';

/** Local time as YYYYMMDD-HHMMSS, for folder names that sort by creation. */
const fitProgressFile = (g: number) => `fit-g${g}.bin`;
/** A fit progress file or a file its bundle placed beside it (`fit-gN.bin.<key>`). */
const FIT_PROGRESS = /^fit-g(\d+)\.bin(?:\..+)?$/;

export function timestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export class RunFolder {
  private metricsFd: number | undefined;
  private runLock: RunLock | undefined;
  /** The outermost folder `create` made for this run (the run folder, or a parent it had to make too). */
  private made: string | undefined;

  private constructor(readonly dir: string) {}

  /**
   * Makes `<root>/<name>-<timestamp>` (with a numeric suffix if taken) and writes config.json into it. The new
   * folder is locked before config.json exists, so no `resume` can slip in; `close()` releases it. If any step
   * fails (a full disk, no permission), what it made is removed again: no lock, no half-made folder.
   */
  static create(root: string, name: string, config: unknown): RunFolder {
    const madeRoot = fs.mkdirSync(root, { recursive: true });
    const base = `${name}-${timestamp()}`;
    let dir = path.join(root, base);
    for (let i = 2; ; i++) {
      try {
        fs.mkdirSync(dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          if (madeRoot) fs.rmSync(madeRoot, { recursive: true, force: true });
          throw error;
        }
        dir = path.join(root, `${base}-${i}`);
      }
    }
    return RunFolder.populate(dir, config, madeRoot ?? dir);
  }

  /** As `create`, at exactly `dir` (a sweep's trial folder, named by its config); fails if `dir` exists. */
  static createAt(dir: string, config: unknown): RunFolder {
    const madeParent = fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.mkdirSync(dir);
    return RunFolder.populate(dir, config, madeParent ?? dir);
  }

  /** Locks and fills a folder just made; on failure removes `made` (the folder, or the outermost parent made for it). */
  private static populate(dir: string, config: unknown, made: string): RunFolder {
    const run = new RunFolder(dir);
    try {
      run.runLock = RunLock.acquire(dir);
      fs.mkdirSync(run.path(FILES.checkpoints));
      fs.mkdirSync(run.path(FILES.samples));
      writeJsonAtomic(run.path(FILES.config), config);
      fs.writeFileSync(run.path(FILES.metrics), '');
    } catch (error) {
      run.runLock = undefined;
      // Only this process knows the folder (it was just made, under a fresh name): all of it goes.
      fs.rmSync(made, { recursive: true, force: true });
      throw error;
    }
    run.made = made;
    return run;
  }

  /** Removes a folder this process created (a run that failed on its input), and the root made for it, if any. */
  discard(): void {
    this.close();
    if (this.made) fs.rmSync(this.made, { recursive: true, force: true });
  }

  /** A run folder to read; `lock()` it before writing. */
  static open(dir: string): RunFolder {
    assertRunFolder(dir);
    return new RunFolder(dir);
  }

  /**
   * Makes this process the folder's only writer (throws RunFolderError naming the holder if a live process has
   * it), then deletes what a killed writer left mid-write: only the lock holder may, or a reader such as
   * `compare` would pull temporary files from under a live run.
   */
  lock(options: { readonly foreignIsStale?: boolean } = {}): void {
    if (this.runLock) return;
    this.runLock = RunLock.acquire(this.dir, options);
    this.removeTemporaries();
  }

  /** Ends this process's work on the folder, normally or after an error: closes metrics.jsonl, releases the lock. */
  close(): void {
    this.closeMetrics();
    this.runLock?.release();
    this.runLock = undefined;
  }

  /** Deletes temporary files a killed process left mid-write: they were never renamed, so nothing needs them. */
  private removeTemporaries(): void {
    for (const sub of ['', FILES.checkpoints, FILES.samples]) {
      const folder = this.path(sub);
      if (!fs.existsSync(folder)) continue;
      for (const name of fs.readdirSync(folder))
        if (/\.tmp-\d+(-\d+)*$/.test(name)) fs.rmSync(path.join(folder, name), { force: true });
    }
  }

  /**
   * `scratch/`, emptied (what a killed run left there is never read back; a symlink is removed, not followed):
   * a family's bulk files and a trainer process's state, durable only once a checkpoint copies them.
   */
  freshScratch(): string {
    this.removeScratch();
    fs.mkdirSync(this.path(FILES.scratch));
    return this.path(FILES.scratch);
  }

  removeScratch(): void {
    fs.rmSync(this.path(FILES.scratch), { recursive: true, force: true });
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  readConfig(): unknown {
    return readRunConfig(this.dir);
  }

  /** Parsed metrics lines; a torn last line (killed mid-write) is ignored. */
  readMetrics(): Metrics[] {
    return readMetrics(this.dir);
  }

  /** Every complete metrics line, damaged ones included: resume checks them for holes. */
  readMetricsEntries(): MetricsEntry[] {
    return readMetricsEntries(this.dir);
  }

  /** Replaces metrics.jsonl with these lines (their exact text), atomically. */
  rewriteMetrics(lines: readonly string[]): void {
    this.closeMetrics();
    writeFileAtomic(this.path(FILES.metrics), lines.map((line) => `${line}\n`).join(''));
  }

  /** Appends one line and hands it to the OS (survives kill -9; fsync'd at the next checkpoint). */
  appendMetrics(line: Metrics): void {
    if (this.metricsFd === undefined) this.metricsFd = fs.openSync(this.path(FILES.metrics), 'a');
    writeAll(this.metricsFd, Buffer.from(`${JSON.stringify(line)}\n`, 'utf8'), this.path(FILES.metrics));
  }

  syncMetrics(): void {
    if (this.metricsFd !== undefined) fs.fsyncSync(this.metricsFd);
  }

  closeMetrics(): void {
    if (this.metricsFd !== undefined) {
      fs.closeSync(this.metricsFd);
      this.metricsFd = undefined;
    }
  }

  writeCheckpointFile(name: string, bundle: Bundle): void {
    writeBundle(this.path(FILES.checkpoints), name, bundle);
  }

  /** Reads and checks a checkpoint file (length, checksum, header); DamagedFileError naming it if it is not whole. */
  readCheckpointFile(name: string): Bundle {
    const file = insideRunFolder(this.dir, [FILES.checkpoints, name], this.path(FILES.checkpoints, name));
    if (!fs.existsSync(file)) throw new DamagedFileError(file, 'missing');
    return withFilePaths(decodeBundle(fs.readFileSync(file), file), this.dir, name, file);
  }

  /**
   * Saves a fit's progress inside generation g (FitContext.resumable): checkpoints/fit-gN.bin, written
   * atomically like a checkpoint, so a run killed in the middle of a long training resumes from it.
   */
  writeFitProgress(g: number, bundle: Bundle): void {
    writeBundle(this.path(FILES.checkpoints), fitProgressFile(g), bundle);
  }

  /** Generation g's saved fit progress, or undefined if there is none or it is damaged (the fit starts over). */
  readFitProgress(g: number): Bundle | undefined {
    if (!this.hasCheckpointFile(fitProgressFile(g))) return undefined;
    try {
      return this.readCheckpointFile(fitProgressFile(g));
    } catch (error) {
      if (error instanceof DamagedFileError) return undefined;
      throw error;
    }
  }

  /** Removes the fit progress of every generation up to `last` (all of it by default): a checkpoint covers it. */
  removeFitProgress(last = Number.POSITIVE_INFINITY): void {
    const folder = this.path(FILES.checkpoints);
    if (!fs.existsSync(folder)) return;
    for (const name of fs.readdirSync(folder)) {
      const g = FIT_PROGRESS.exec(name)?.[1];
      if (g !== undefined && Number(g) <= last) fs.rmSync(path.join(folder, name), { force: true });
    }
  }

  hasCheckpointFile(name: string): boolean {
    return fs.existsSync(this.path(FILES.checkpoints, name));
  }

  /** Removes a checkpoint file and the files its bundle placed beside it (`<name>.<key>`). */
  removeCheckpointFile(name: string): void {
    for (const entry of this.checkpointEntries()) if (entry.file === name) fs.rmSync(entry.path, { force: true });
  }

  /**
   * Removes every checkpoint file (and side file) not named by `keep`: orphans of a writer killed between
   * writing a checkpoint and committing it, or between committing and cleaning up. Only names the writer makes
   * (model-gN.bin, synthetic-gN.bin, `<those>.<key>`) are touched; anything else in checkpoints/ is left alone.
   */
  removeUnreferencedCheckpoints(keep: readonly (Checkpoint | undefined)[]): void {
    const named = new Set<string>();
    for (const c of keep)
      if (c) for (const f of [c.model, c.generationZeroModel, ...Object.values(c.synthetic)]) named.add(f);
    for (const entry of this.checkpointEntries()) if (!named.has(entry.file)) fs.rmSync(entry.path, { force: true });
  }

  /** For a run recomputed from generation 0: the pointer and every checkpoint file go. */
  removeAllCheckpoints(): void {
    fs.rmSync(this.path(FILES.checkpoints, FILES.pointer), { force: true });
    this.removeUnreferencedCheckpoints([]);
    this.removeFitProgress();
  }

  /** The entries of checkpoints/ the writer made, with the checkpoint file each belongs to. */
  private checkpointEntries(): { path: string; file: string }[] {
    const folder = this.path(FILES.checkpoints);
    if (!fs.existsSync(folder)) return [];
    return fs.readdirSync(folder).flatMap((name) => {
      const file = CHECKPOINT_ENTRY.exec(name)?.[1];
      return file && (MODEL_FILE.test(file) || SYNTHETIC_FILE.test(file))
        ? [{ path: path.join(folder, name), file }]
        : [];
    });
  }

  /** Publishes a checkpoint: metrics are fsync'd first, then the pointer is swapped atomically. */
  commitCheckpoint(pointer: CheckpointPointer): void {
    this.syncMetrics();
    writeJsonAtomic(this.path(FILES.checkpoints, FILES.pointer), pointer);
  }

  readPointer(): CheckpointPointer | undefined {
    return readPointer(this.dir);
  }

  /** The heartbeat (progress-heartbeat.ts decides when): atomic, so a reader never sees half of it. */
  writeProgress(progress: Progress): void {
    writeJsonAtomic(this.path(FILES.progress), progress);
  }

  /** The loop's heartbeat for a run of `generations`, writing progress.json at most once a second. */
  heartbeat(generations: number): ProgressHeartbeat {
    return new ProgressHeartbeat((progress) => this.writeProgress(progress), generations);
  }

  writeSample(name: string, value: unknown): void {
    writeFileAtomic(this.path(FILES.samples, name), `${JSON.stringify(value)}\n`);
  }

  /**
   * samples/generation-<g>.json: the model as JSON (small arrays listed) with the family's notes for people
   * (ModelFamily.snapshot), and the first samples.
   */
  writeSnapshot(generation: number, model: ModelState, samples: unknown, notes?: Record<string, unknown>): void {
    const json = { ...(modelStateToJson(model) as object), ...notes };
    this.writeSample(`generation-${generation}.json`, { generation, model: json, samples });
  }

  /** metrics.csv, for pandas and spreadsheets; written before summary.json, so every finished run has it. */
  writeMetricsCsv(lines: readonly Metrics[]): void {
    writeFileAtomic(this.path(FILES.metricsCsv), metricsCsv(lines));
  }

  writeSummary(summary: unknown): void {
    writeJsonAtomic(this.path(FILES.summary), summary);
  }

  readSummary(): unknown | undefined {
    return readSummary(this.dir);
  }
}

/** A bundle's files may only be named by a plain key: nothing in a run folder may point outside it. */
const FILE_KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Writes `<dir>/<name>`, first copying the bundle's files beside it as `<name>.<key>`, each atomically. */
function writeBundle(dir: string, name: string, bundle: Bundle): void {
  let files: Record<string, string> | undefined;
  if (bundle.files) {
    files = {};
    for (const [key, source] of Object.entries(bundle.files)) {
      if (!FILE_KEY.test(key))
        throw new RangeError(`model state: file name '${key}' must be letters, digits, '.', '_' or '-'`);
      copyFileAtomic(source, path.join(dir, `${name}.${key}`));
      files[key] = `${name}.${key}`;
    }
  }
  writeFileAtomic(path.join(dir, name), encodeBundle({ ...bundle, ...(files ? { files } : {}) }));
}

/** A read bundle's files as paths; a stored name other than `<name>.<key>`, or one leading outside the run folder, is refused. */
function withFilePaths(bundle: Bundle, runDir: string, name: string, what: string): Bundle {
  if (!bundle.files) return bundle;
  const files: Record<string, string> = {};
  for (const [key, stored] of Object.entries(bundle.files)) {
    if (!FILE_KEY.test(key) || stored !== `${name}.${key}`)
      throw new DamagedFileError(
        what,
        `names file '${stored}', which is not the file this checkpoint places beside it`,
      );
    files[key] = insideRunFolder(runDir, [FILES.checkpoints, stored], what);
    if (!fs.existsSync(files[key])) throw new DamagedFileError(files[key], 'missing');
  }
  return { ...bundle, files };
}

/** A checkpoint file, or a file its bundle placed beside it: `<checkpoint file>[.<key>]`. */
const CHECKPOINT_ENTRY = /^((?:model|synthetic)-g\d+\.bin)(?:\.[A-Za-z0-9_-][A-Za-z0-9._-]*)?$/;
