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
 * Crash safety: every file but metrics.jsonl is written atomically (temp file, fsync, rename). metrics.jsonl
 * is append-only; `latest.json` records the generation it has been checkpointed to, and on resume any lines
 * past the checkpoint (or a torn last line) are dropped and recomputed — derived randomness makes them
 * identical, so a killed and resumed run ends with exactly the metrics of an uninterrupted one.
 *
 * RunFolder is the writer; what it reads back goes through the run store (run-store.ts), the one reader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { copyFileAtomic, writeFileAtomic, writeJsonAtomic } from './atomic-file.js';
import { type Bundle, decodeBundle, encodeBundle } from './bundle.js';
import { modelStateToJson } from './dataset-codec.js';
import { RunFolderError } from './errors.js';
import type { Metrics, ModelState } from './family.js';
import { RunLock } from './run-lock.js';
import {
  assertRunFolder,
  type CheckpointPointer,
  FILES,
  type Progress,
  readMetrics,
  readPointer,
  readRunConfig,
  readSummary,
} from './run-store.js';

export { type CheckpointPointer, FILES } from './run-store.js';

/** Local time as YYYYMMDD-HHMMSS, for folder names that sort by creation. */
export function timestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export class RunFolder {
  private metricsFd: number | undefined;
  private runLock: RunLock | undefined;

  private constructor(readonly dir: string) {}

  /**
   * Makes `<root>/<name>-<timestamp>` (with a numeric suffix if taken) and writes config.json into it. The new
   * folder is locked before config.json exists, so no `resume` can slip in; `close()` releases it.
   */
  static create(root: string, name: string, config: unknown): RunFolder {
    fs.mkdirSync(root, { recursive: true });
    const base = `${name}-${timestamp()}`;
    let dir = path.join(root, base);
    for (let i = 2; ; i++) {
      try {
        fs.mkdirSync(dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        dir = path.join(root, `${base}-${i}`);
      }
    }
    return RunFolder.populate(dir, config);
  }

  /** As `create`, at exactly `dir` (a sweep's trial folder, named by its config); fails if `dir` exists. */
  static createAt(dir: string, config: unknown): RunFolder {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.mkdirSync(dir);
    return RunFolder.populate(dir, config);
  }

  private static populate(dir: string, config: unknown): RunFolder {
    const run = new RunFolder(dir);
    run.runLock = RunLock.acquire(dir);
    fs.mkdirSync(run.path(FILES.checkpoints));
    fs.mkdirSync(run.path(FILES.samples));
    writeJsonAtomic(run.path(FILES.config), config);
    fs.writeFileSync(run.path(FILES.metrics), '');
    return run;
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
        if (/\.tmp-\d+$/.test(name)) fs.rmSync(path.join(folder, name), { force: true });
    }
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

  /** Keeps the lines of generations ≤ `generation` and drops the rest, atomically. */
  truncateMetrics(generation: number): Metrics[] {
    this.closeMetrics();
    const kept = this.readMetrics().filter((m) => (m.generation as number) <= generation);
    writeFileAtomic(this.path(FILES.metrics), kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
    return kept;
  }

  /** Appends one line and hands it to the OS (survives kill -9; fsync'd at the next checkpoint). */
  appendMetrics(line: Metrics): void {
    if (this.metricsFd === undefined) this.metricsFd = fs.openSync(this.path(FILES.metrics), 'a');
    fs.writeSync(this.metricsFd, `${JSON.stringify(line)}\n`);
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

  readCheckpointFile(name: string): Bundle {
    const file = this.path(FILES.checkpoints, name);
    if (!fs.existsSync(file)) throw new RunFolderError(`checkpoint file ${file} is missing; the run folder is damaged`);
    return withFilePaths(decodeBundle(fs.readFileSync(file), file), this.path(FILES.checkpoints), file);
  }

  hasCheckpointFile(name: string): boolean {
    return fs.existsSync(this.path(FILES.checkpoints, name));
  }

  /** Removes a checkpoint file and the files its bundle placed beside it (`<name>.<key>`). */
  removeCheckpointFile(name: string): void {
    const folder = this.path(FILES.checkpoints);
    for (const entry of fs.readdirSync(folder))
      if (entry === name || entry.startsWith(`${name}.`)) fs.rmSync(path.join(folder, entry), { force: true });
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

/** A read bundle's files as paths in `dir`; a stored name that could leave the folder is refused. */
function withFilePaths(bundle: Bundle, dir: string, what: string): Bundle {
  if (!bundle.files) return bundle;
  const files: Record<string, string> = {};
  for (const [key, stored] of Object.entries(bundle.files)) {
    if (!FILE_KEY.test(stored) || !FILE_KEY.test(key))
      throw new RunFolderError(
        `${what}: names file '${stored}', which is not a plain file name; the run folder is damaged`,
      );
    files[key] = path.join(dir, stored);
  }
  return { ...bundle, files };
}
