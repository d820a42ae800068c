/**
 * The run store: the one module that lists, reads and watches run folders (the format is documented at the top
 * of run-folder.ts; RunFolder writes it and parses what it reads back with the functions here).
 *
 * Everything here is read-only and tolerant of a run that is still going or was killed: a torn last line of
 * metrics.jsonl (a writer killed mid-line, or caught mid-append) is never returned until its newline is there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { readTextIfExists } from './atomic-file.js';
import { DamagedFileError, RunFolderError } from './errors.js';
import type { Metrics } from './family.js';
import { isProcessAlive, LOCK_FILE, readLockHolder } from './run-lock.js';
import { insideRunFolder } from './run-paths.js';
import {
  metricsLineSchema,
  parseRunFile,
  pointerSchema,
  progressSchema,
  runConfigSchema,
  snapshotSchema,
  summarySchema,
} from './run-schemas.js';

export const FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  /** metrics.jsonl's scalar columns as a table, written when the run finishes. */
  metricsCsv: 'metrics.csv',
  summary: 'summary.json',
  progress: 'progress.json',
  checkpoints: 'checkpoints',
  samples: 'samples',
  pointer: 'latest.json',
  /** A family's scratch folder while the run is live (OpenContext.scratch); nothing in it outlives the run. */
  scratch: 'scratch',
} as const;

/** The fields of config.json that readers use; everything else is kept as-is. */
export interface RunConfig {
  readonly name: string;
  readonly seed: number;
  readonly generations: number;
  readonly samplesPerGeneration: number;
  readonly realSize?: number;
  readonly family: { readonly type: string } & Record<string, unknown>;
  readonly policy: { readonly type: string; readonly realFraction?: number };
  readonly real: { readonly type: string } & Record<string, unknown>;
  readonly snapshotGenerations?: readonly number[];
  readonly [key: string]: unknown;
}

export interface Checkpoint {
  /** The last generation whose model, synthetic set and metrics line are all safely on disk. */
  readonly generation: number;
  readonly model: string;
  readonly generationZeroModel: string;
  /** Synthetic-set files by the generation that made them. */
  readonly synthetic: Readonly<Record<string, string>>;
}

/**
 * checkpoints/latest.json. `previous` is the checkpoint before it, whose files are kept until the next one is
 * committed, so a damaged newest checkpoint still leaves one to resume from (folders written before this have
 * none).
 */
export interface CheckpointPointer extends Checkpoint {
  readonly previous?: Checkpoint;
}

/** progress.json: the loop's heartbeat, rewritten atomically at most once a second while a generation runs. */
export interface Progress {
  /** The generation being computed (0-based). */
  readonly generation: number;
  readonly generations: number;
  readonly phase: 'policy' | 'fit' | 'sample' | 'evaluate';
  /** How far the phase has got, in [0, 1]. */
  readonly fraction: number;
  readonly message?: string;
  /** When it was written, ISO 8601. */
  readonly time: string;
  readonly pid: number;
  readonly host: string;
}

/** A samples/generation-N.json file: the fitted model as JSON and up to a few thousand samples. */
export interface Snapshot {
  readonly generation: number;
  readonly model: Record<string, unknown>;
  readonly samples: { readonly kind: string; readonly rows?: number[][]; readonly values?: number[] };
}

export interface RunData {
  readonly dir: string;
  readonly config: RunConfig;
  readonly metrics: readonly Metrics[];
  readonly summary: Record<string, unknown> | undefined;
  /** The latest heartbeat, if the run has written one (runs from before heartbeats have none). */
  readonly progress: Progress | undefined;
  /** Generations that have a snapshot in samples/, ascending. */
  readonly snapshotGenerations: readonly number[];
  snapshot(generation: number): Snapshot | undefined;
}

/**
 * finished: summary.json exists. running: a live process holds the lock, or wrote a fresh heartbeat.
 * dead: unfinished, and the process that held it is gone (killed; `resume` continues it). incomplete: unfinished
 * with no trace of a process (a folder from before locks and heartbeats, or one copied from elsewhere).
 * damaged: a file the listing needs (config.json, metrics.jsonl) is unreadable or does not fit its schema.
 */
export type RunStatus = 'finished' | 'running' | 'dead' | 'incomplete' | 'damaged';

export interface RunListing {
  readonly dir: string;
  readonly name: string;
  readonly family: string;
  readonly policy: string;
  readonly seed: number;
  readonly generationsDone: number;
  readonly generations: number;
  readonly status: RunStatus;
  /** When the run started (config.json's time), ISO 8601. */
  readonly started?: string;
  /** The last complete metrics line (for a headline number), null before generation 0 ends. */
  readonly latest?: Metrics | null;
  /** For a damaged folder: what is wrong, naming the file. */
  readonly problem?: string;
}

/** A folder of runs that belong together: `run --seeds`, `compare`, `reproduce`, `sweep`. */
export interface CollectionListing {
  readonly dir: string;
  readonly kind: 'seeds' | 'compare' | 'suite' | 'sweep';
  readonly started: string;
  /** Its report, where one was written. */
  readonly report: string | null;
  readonly runs: readonly RunListing[];
}

/**
 * A heartbeat older than this does not by itself make a run count as running. Heartbeats are written only when
 * the loop reports a stage, so a long fit may go quiet for a while; the lock is the main evidence.
 */
export const HEARTBEAT_FRESH_MS = 30_000;

/** Throws RunFolderError unless `dir` holds a config.json. */
export function assertRunFolder(dir: string): void {
  if (!fs.existsSync(path.join(dir, FILES.config))) {
    throw new RunFolderError(
      `${dir} is not a collapse-lab run folder (no ${FILES.config}); pass the folder that 'run' printed`,
    );
  }
}

export function readRunConfig(dir: string): RunConfig {
  const file = runFile(dir, FILES.config);
  return parseRunFile(runConfigSchema, readJson(file), file) as RunConfig;
}

export function readSummary(dir: string): Record<string, unknown> | undefined {
  return readParsedIfExists(runFile(dir, FILES.summary), summarySchema);
}

export function readPointer(dir: string): CheckpointPointer | undefined {
  return readParsedIfExists(runFile(dir, FILES.checkpoints, FILES.pointer), pointerSchema);
}

export function readProgress(dir: string): Progress | undefined {
  return parseProgress(readTextIfExists(runFile(dir, FILES.progress)));
}

/** The metrics lines; a torn last line is left out, and any other line that is not a metrics line is an error. */
export function readMetrics(dir: string): Metrics[] {
  const file = runFile(dir, FILES.metrics);
  const bytes = readBytesIfExists(file);
  return bytes ? parseMetricLines(completeLines(bytes).lines, file) : [];
}

/** One complete line of metrics.jsonl as resume judges it: its text, and the metrics, or what is wrong with it. */
export type MetricsEntry =
  | { readonly text: string; readonly metrics: Metrics; readonly problem?: undefined }
  | { readonly text: string; readonly metrics?: undefined; readonly problem: string };

/** Every complete line of metrics.jsonl, damaged ones included (resume decides what a hole means). */
export function readMetricsEntries(dir: string): MetricsEntry[] {
  const file = runFile(dir, FILES.metrics);
  const bytes = readBytesIfExists(file);
  if (!bytes) return [];
  return completeLines(bytes).lines.map((text, i) => {
    try {
      return { text, metrics: parseMetricLine(text, i, file) };
    } catch (error) {
      if (error instanceof DamagedFileError) return { text, problem: error.problem };
      throw error;
    }
  });
}

/** A path in a run folder, refused if it leads outside (run-paths.ts). */
export function runFile(dir: string, ...parts: string[]): string {
  return insideRunFolder(dir, parts, path.join(dir, ...parts));
}

/**
 * The complete lines of a metrics.jsonl chunk and how many bytes they span: a line counts only once its newline
 * is written, since the writer appends `JSON + '\n'` in one write. Works on bytes, so a chunk cut inside a
 * multi-byte character is never decoded half.
 */
export function completeLines(bytes: Uint8Array): { lines: string[]; consumed: number } {
  const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(0x0a) + 1;
  if (end === 0) return { lines: [], consumed: 0 };
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
  return { lines: text.split('\n').filter((line) => line.trim() !== ''), consumed: end };
}

export function parseMetricLines(lines: readonly string[], file: string): Metrics[] {
  return lines.map((line, i) => parseMetricLine(line, i, file));
}

function parseMetricLine(line: string, index: number, file: string): Metrics {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new DamagedFileError(file, `line ${index + 1} is not JSON (${line.slice(0, 60)})`);
  }
  const parsed = metricsLineSchema.safeParse(value);
  if (!parsed.success)
    throw new DamagedFileError(file, `line ${index + 1} is not a metrics line (it needs a generation ≥ 0)`);
  return value as Metrics; // as parsed, key order and all: resume writes kept lines back byte for byte
}

export function readRun(dir: string): RunData {
  assertRunFolder(dir);
  const samplesDir = path.join(dir, FILES.samples);
  const snapshotGenerations = fs.existsSync(samplesDir)
    ? fs
        .readdirSync(samplesDir)
        .map((f) => /^generation-(\d+)\.json$/.exec(f)?.[1])
        .filter((g): g is string => g !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
    : [];
  return {
    dir,
    config: readRunConfig(dir),
    metrics: readMetrics(dir),
    summary: readSummary(dir),
    progress: readProgress(dir),
    snapshotGenerations,
    snapshot(generation) {
      const file = runFile(dir, FILES.samples, `generation-${generation}.json`);
      return readParsedIfExists(file, snapshotSchema) as Snapshot | undefined;
    },
  };
}

/** Whether the run finished, is running (here or on another host), was killed, or shows no trace of a process. */
export function runStatus(dir: string, now = Date.now()): RunStatus {
  if (fs.existsSync(path.join(dir, FILES.summary))) return 'finished';
  // The same liveness rule RunLock.acquire applies, so `list` says running exactly when `resume` would refuse.
  const holder = readLockHolder(dir);
  if (holder && isProcessAlive(holder.pid, holder.hostname)) return 'running';
  const progress = readProgress(dir);
  if (progress && now - Date.parse(progress.time) < HEARTBEAT_FRESH_MS && isProcessAlive(progress.pid, progress.host))
    return 'running';
  // A lock file (stale, or unreadable) or a heartbeat means a process was writing and did not finish.
  return progress !== undefined || fs.existsSync(path.join(dir, LOCK_FILE)) ? 'dead' : 'incomplete';
}

/**
 * The run folders directly under `root` (those with a config.json), sorted by folder name. A folder whose files
 * cannot be read is listed as damaged, with the problem, and the others are listed as usual.
 */
export function listRuns(root: string): RunListing[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, FILES.config)))
    .map((e) => listRun(path.join(root, e.name)))
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * The collections directly under `root`: folders without a config.json that hold a runs.json (compare and
 * --seeds), a results.json (reproduce) or a sweep.json (sweep), each with the run folders it holds.
 */
export function listCollections(root: string): CollectionListing[] {
  if (!fs.existsSync(root)) return [];
  const out: CollectionListing[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const dir = path.join(root, entry.name);
    if (!entry.isDirectory() || fs.existsSync(path.join(dir, FILES.config))) continue;
    const kind = collectionKind(dir);
    if (!kind) continue;
    const marker = path.join(dir, kind.marker);
    const report = path.join(dir, 'report.html');
    out.push({
      dir,
      kind: kind.kind,
      started: fs.statSync(marker).mtime.toISOString(),
      report: fs.existsSync(report) ? report : null,
      runs: [...listRuns(path.join(dir, 'runs')), ...listRuns(path.join(dir, 'trials'))],
    });
  }
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

function collectionKind(dir: string): { kind: CollectionListing['kind']; marker: string } | undefined {
  if (fs.existsSync(path.join(dir, 'sweep.json'))) return { kind: 'sweep', marker: 'sweep.json' };
  if (fs.existsSync(path.join(dir, 'results.json'))) return { kind: 'suite', marker: 'results.json' };
  const runsJson = path.join(dir, 'runs.json');
  if (fs.existsSync(runsJson)) {
    let kind: unknown;
    try {
      kind = (JSON.parse(fs.readFileSync(runsJson, 'utf8')) as { kind?: unknown }).kind;
    } catch {
      kind = undefined; // an unreadable runs.json still marks a comparison
    }
    return { kind: kind === 'seeds' ? 'seeds' : 'compare', marker: 'runs.json' };
  }
  // `run --seeds --no-report` writes no runs.json: a folder of runs under runs/ is its seeds.
  if (fs.existsSync(path.join(dir, 'runs')) && listRuns(path.join(dir, 'runs')).length > 0)
    return { kind: 'seeds', marker: 'runs' };
  return undefined;
}

function listRun(dir: string): RunListing {
  try {
    const config = readRunConfig(dir);
    const metrics = readBytesIfExists(runFile(dir, FILES.metrics));
    const lines = metrics ? completeLines(metrics).lines : [];
    const last = lines.length > 0 ? parseMetricLines(lines.slice(-1), FILES.metrics)[0] : null;
    return {
      dir,
      name: config.name,
      family: config.family.type,
      policy: config.policy.type,
      seed: config.seed,
      generationsDone: lines.length,
      generations: config.generations,
      status: runStatus(dir),
      started: fs.statSync(runFile(dir, FILES.config)).mtime.toISOString(),
      latest: last,
    };
  } catch (error) {
    const problem = describeReadError(error);
    if (problem === undefined) throw error;
    const name = path.basename(dir);
    return {
      dir,
      name,
      family: '?',
      policy: '?',
      seed: 0,
      generationsDone: 0,
      generations: 0,
      status: 'damaged',
      problem,
    };
  }
}

/** What a reader can say about an error while reading a run folder; undefined for a bug (rethrown). */
function describeReadError(error: unknown): string | undefined {
  if (error instanceof DamagedFileError || error instanceof RunFolderError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return (error as Error).message;
  return undefined;
}

export type RunEvent =
  | { readonly type: 'metrics'; readonly line: Metrics }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'finished'; readonly summary: Record<string, unknown> };

export interface WatchOptions {
  /** Ends the iteration (without an error) when aborted. */
  readonly signal?: AbortSignal;
  /** How often the folder is polled (default 200 ms). */
  readonly intervalMs?: number;
}

/**
 * Follows a run folder: first every metrics line already written, then each new one as it is appended, a
 * `progress` event whenever progress.json changes, and a last `finished` event when summary.json appears.
 * It polls (stat and read every `intervalMs`), which works the same on every file system and across hosts.
 *
 * A run that dies is not an end: the iteration waits (a `resume` may continue it) until the signal aborts.
 * When metrics.jsonl is rewritten under it (a resume drops the lines past its checkpoint), it reads the file
 * again from the start and yields only generations it has not yet yielded: the dropped lines are recomputed
 * bit for bit, so the events are each generation exactly once, in order, equal to the final file.
 */
export async function* watchRun(dir: string, options: WatchOptions = {}): AsyncGenerator<RunEvent, void, undefined> {
  const { signal, intervalMs = 200 } = options;
  assertRunFolder(dir);
  const metrics = new MetricsTail(runFile(dir, FILES.metrics));
  const progressFile = runFile(dir, FILES.progress);
  let progressText: string | undefined;
  while (!signal?.aborted) {
    // Looked at before the metrics: the writer appends its last line before the summary, so a read that
    // follows a summary sighting has every line.
    const summary = readSummary(dir);
    for (const line of metrics.readNew()) {
      yield { type: 'metrics', line };
      if (signal?.aborted) return;
    }
    const text = readTextIfExists(progressFile);
    if (text !== undefined && text !== progressText) {
      progressText = text;
      const progress = parseProgress(text);
      if (progress) yield { type: 'progress', progress };
    }
    if (summary) {
      yield { type: 'finished', summary };
      return;
    }
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return; // aborted
    }
  }
}

/** Reads the lines appended to metrics.jsonl since the last call, noticing when the file was rewritten. */
class MetricsTail {
  /** Bytes of complete lines consumed so far. */
  private offset = 0;
  /** The last consumed line (with its newline): still there at the same place unless the file was rewritten. */
  private last: Buffer = Buffer.alloc(0);
  private nextGeneration = 0;

  constructor(private readonly file: string) {}

  readNew(): Metrics[] {
    let bytes = readBytesIfExists(this.file, this.offset - this.last.length);
    if (bytes === undefined) return [];
    if (!bytes.subarray(0, this.last.length).equals(this.last)) {
      this.offset = 0; // rewritten (shorter, or different where we were): start over, skipping what was yielded
      this.last = Buffer.alloc(0);
      bytes = readBytesIfExists(this.file, 0) ?? Buffer.alloc(0);
    }
    const fresh = bytes.subarray(this.last.length);
    const { lines, consumed } = completeLines(fresh);
    if (consumed === 0) return [];
    const lastStart = consumed >= 2 ? fresh.lastIndexOf(0x0a, consumed - 2) + 1 : 0;
    this.last = Buffer.from(fresh.subarray(lastStart, consumed));
    this.offset += consumed;
    const out: Metrics[] = [];
    for (const line of parseMetricLines(lines, this.file)) {
      const generation = typeof line.generation === 'number' ? line.generation : this.nextGeneration;
      if (generation < this.nextGeneration) continue;
      this.nextGeneration = generation + 1;
      out.push(line);
    }
    return out;
  }
}

function parseProgress(text: string | undefined): Progress | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = progressSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // written atomically, so only a hand edit leaves it unreadable: no heartbeat
  }
}

function readJson(file: string): unknown {
  return parseJson(fs.readFileSync(file, 'utf8'), file);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DamagedFileError(file, 'not JSON');
  }
}

function readParsedIfExists<T extends z.ZodType>(file: string, schema: T): z.infer<T> | undefined {
  const text = readTextIfExists(file);
  return text === undefined ? undefined : parseRunFile(schema, parseJson(text, file), file);
}

/** The file's bytes from `start` to its end; undefined if it does not exist. */
function readBytesIfExists(file: string, start = 0): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = Buffer.alloc(Math.max(0, size - start));
    let read = 0;
    while (read < bytes.length) {
      const n = fs.readSync(fd, bytes, read, bytes.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}
