/**
 * The library's front door: resolve a config (a preset name, a partial config, overrides), validate it, build
 * the real data, family and policy, and run the loop in a fresh run folder — or resume one.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { DamagedFileError, RunFolderError, UsageError } from '../core/errors.js';
import type { Metrics } from '../core/family.js';
import { SCHEMA_IDS } from '../core/file-formats.js';
import { fileSystemError, readFileNamed } from '../core/fs-errors.js';
import { type LoopHooks, runLoop, type ScratchSpace } from '../core/loop.js';
import { FILES, RunFolder } from '../core/run-folder.js';
import { readSummary } from '../core/run-store.js';
import { didYouMean } from '../core/suggest.js';
import { sha256Of } from '../data/download.js';
import { buildRealData } from '../data/real-data.js';
import { createFamily, findFamily } from '../families/index.js';
import { createPolicy } from '../policies/index.js';
import type { TheoryCheck } from '../theory/check.js';
import { BudgetWatch, budgetBeforeStart } from './budget.js';
import { type ExperimentConfig, type ExperimentInput, parseExperimentConfig } from './config.js';
import { assertConfigShape } from './config-shape.js';
import { defaultSnapshots, findPreset, presetNames } from './presets.js';
import { parseStopRule, ruleMet } from './stop-rule.js';

export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export interface RunOptions extends LoopHooks {
  /** Root folder for run folders (default 'runs'); null runs in memory and writes nothing. */
  readonly out?: string | null;
  /** Write report.html and figures/ into the run folder when it finishes (default true). */
  readonly report?: boolean;
  /** The run folder itself, instead of a new `<out>/<name>-<timestamp>` (it must not exist yet). */
  readonly dir?: string;
}

export interface RunSummary {
  /** The format this file follows (core/file-formats.ts, docs/schemas/). */
  readonly schema: typeof SCHEMA_IDS.summary;
  readonly metricsSchema: typeof SCHEMA_IDS.metricsLine;
  readonly name: string;
  readonly runDir: string | null;
  readonly family: string;
  readonly policy: string;
  readonly seed: number;
  readonly generations: number;
  readonly first: Metrics;
  readonly final: Metrics;
  readonly wallSeconds: number;
  readonly generationsPerSecond: number;
  readonly resumedFrom: number | null;
  readonly version: string;
  /** The run against its family's closed forms (empty where none applies). */
  readonly theory: readonly TheoryCheck[];
  /** Where the config's stopWhen rule ended the run early (absent when every generation ran). */
  readonly stopped?: { readonly generation: number; readonly rule: string };
}

export interface RunResult {
  readonly config: ExperimentConfig;
  readonly runDir: string | null;
  readonly metrics: Metrics[];
  readonly summary: RunSummary;
}

/** Merges a preset (by name) with overrides; plain objects merge deeply, everything else replaces. */
export function resolveConfig(preset: string | undefined, overrides: Record<string, unknown> = {}): ExperimentConfig {
  let base: Record<string, unknown> = {};
  if (preset !== undefined) {
    const found = findPreset(preset);
    if (!found) {
      throw new UsageError(
        `unknown preset '${preset}'${didYouMean(preset, presetNames())}; choose one of: ${presetNames().join(', ')} (or pass --config FILE)`,
      );
    }
    base = { ...(found.config as Record<string, unknown>), preset };
  }
  assertConfigShape(overrides, 'config'); // before merging: a '__proto__' key would set the merged object's prototype
  const merged = deepMerge(base, overrides);
  return parseExperimentConfig(merged, preset ? `config (preset '${preset}')` : 'config');
}

/** The same config at seeds seed, seed+1, …, seed+n−1. */
export function seedConfigs(config: ExperimentConfig, n: number): ExperimentConfig[] {
  return Array.from({ length: n }, (_, i) => ({ ...config, seed: config.seed + i }));
}

/**
 * Plain objects merge deeply, everything else replaces — except that an object naming a different `type`
 * (a family, real source, policy, selection...) replaces the whole section rather than mixing two types' fields.
 */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    const sameKind =
      isPlainObject(current) && isPlainObject(value) && (value.type === undefined || value.type === current.type);
    out[key] = sameKind ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Runs an experiment: a validated config, or input to validate. */
export async function runExperiment(
  input: ExperimentConfig | ExperimentInput,
  options: RunOptions = {},
): Promise<RunResult> {
  const config = parseExperimentConfig(input);
  const withDefaults: ExperimentConfig = {
    ...config,
    snapshotGenerations: config.snapshotGenerations ?? defaultSnapshots(config.generations),
    version: VERSION,
  };
  // Everything that can fail on bad input happens before the folder exists.
  let parts: ReturnType<typeof assemble>;
  let resolved: ExperimentConfig;
  let folder: RunFolder | undefined;
  try {
    parts = assemble(withDefaults);
    resolved = { ...withDefaults, real: fingerprinted(withDefaults.real) };
    folder = options.dir
      ? RunFolder.createAt(options.dir, resolved)
      : options.out === null
        ? undefined
        : RunFolder.create(options.out ?? 'runs', runFolderName(resolved), resolved);
  } catch (error) {
    throw fileSystemError(error, 'Nothing was written') ?? error;
  }
  try {
    return await execute(resolved, parts, folder, options);
  } catch (error) {
    if (folder && isInputError(error)) {
      // The same config and seed fail the same way on resume (derived randomness), so the folder is of no use.
      folder.discard();
      throw new UsageError(`${(error as Error).message} (the run folder ${folder.dir} was removed)`);
    }
    throw (folder && fileSystemError(error, resumeHint(folder.dir))) ?? error;
  } finally {
    folder?.close(); // releases the run-folder lock, after an error too
  }
}

/**
 * A run folder's name says what it holds: `<name>-<policy>-seed<seed>` (then the timestamp), e.g.
 * `gaussian-mix10-seed3-20261202-101500`; the name is the preset's unless the config names the run.
 */
export function runFolderName(config: ExperimentConfig): string {
  const policy = config.policy;
  const share = 'realFraction' in policy && typeof policy.realFraction === 'number' ? policy.realFraction : undefined;
  const tag = policy.type === 'mix' && share !== undefined ? `mix${+(share * 100).toFixed(2)}` : policy.type;
  return `${config.name}-${tag}-seed${config.seed}`;
}

/** An error in the run's input found mid-run (exit 2), as opposed to the disk (resumable) or a bug. */
function isInputError(error: unknown): boolean {
  return error instanceof UsageError;
}

/** After a file-system error mid-run: the folder is consistent up to its last checkpoint. */
function resumeHint(dir: string): string {
  return `The run folder ${dir} keeps every generation up to its last checkpoint: once that is done, 'collapse-lab resume ${dir}' continues it`;
}

export interface ResumeOptions extends LoopHooks {
  readonly report?: boolean;
  /** Take over a lock held on another host (a queue worker that the queue made the run's only owner). */
  readonly foreignLockIsStale?: boolean;
  /** Recompute every generation from generation 0 in this folder (when no checkpoint is usable). */
  readonly restart?: boolean;
}

/** Continues a killed run from its last checkpoint; ends with exactly the metrics of an uninterrupted run. */
export async function resumeExperiment(runDir: string, options: ResumeOptions = {}): Promise<RunResult> {
  const folder = RunFolder.open(runDir);
  folder.lock({ foreignIsStale: options.foreignLockIsStale }); // one writer: a second resume is refused
  try {
    const configFile = path.join(runDir, 'config.json');
    const config = parseExperimentConfig(folder.readConfig(), configFile);
    assertFingerprinted(config.real, configFile);
    if (folder.readSummary())
      throw new RunFolderError(`${runDir} already finished (summary.json exists); nothing to resume`);
    const parts = assemble(config);
    // --restart: every generation is recomputed here (bit for bit what the run would have made).
    if (options.restart) folder.removeAllCheckpoints();
    return await execute(config, parts, folder, options);
  } catch (error) {
    throw fileSystemError(error, resumeHint(runDir)) ?? error;
  } finally {
    folder.close();
  }
}

/** A user's file is recorded with its sha256, so that a resumed run refuses a file that has changed. */
function fingerprinted(real: ExperimentConfig['real']): ExperimentConfig['real'] {
  if (real.type === 'text' && real.heldOutPath)
    return {
      ...real,
      sha256: sha256Of(readFileNamed(real.path)),
      heldOutSha256: sha256Of(readFileNamed(real.heldOutPath)),
    };
  return real.type === 'file' || real.type === 'text' ? { ...real, sha256: sha256Of(readFileNamed(real.path)) } : real;
}

/**
 * A run folder's config names data files outside it; resume reads the training file only as the run recorded
 * it (by sha256, which every run has recorded), so an edited config.json cannot make resume train on, and copy
 * samples of, some other file. (heldOutSha256 is checked when present; folders from before it have none.)
 */
function assertFingerprinted(real: ExperimentConfig['real'], configFile: string): void {
  if ((real.type === 'file' || real.type === 'text') && !real.sha256)
    throw new DamagedFileError(
      configFile,
      'real.sha256 is missing: a run records the checksum of the data file it trains on, so this config was edited',
    );
}

/** Scratch for an in-memory run of a family that writes bulk files (a trainer process): a temporary folder. */
const TEMP_SCRATCH: ScratchSpace = {
  create: () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-scratch-')),
  remove: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
};

function assemble(config: ExperimentConfig) {
  return { real: buildRealData(config), family: createFamily(config.family), policy: createPolicy(config.policy) };
}

async function execute(
  config: ExperimentConfig,
  parts: ReturnType<typeof assemble>,
  folder: RunFolder | undefined,
  hooks: LoopHooks & { readonly report?: boolean },
): Promise<RunResult> {
  const report = hooks.report ?? true;
  const started = performance.now();
  const notice = hooks.onNotice ?? ((message: string) => process.stderr.write(`collapse-lab: ${message}\n`));
  const early = budgetBeforeStart(config.generations);
  if (early && folder) notice(early);
  const budget = new BudgetWatch(folder?.dir ?? null, config.generations);
  const loopHooks: LoopHooks = {
    ...hooks,
    onGeneration: (line, g, detail) => {
      const warning = folder && !early ? budget.observe(g) : undefined;
      if (warning) notice(warning);
      return hooks.onGeneration?.(line, g, detail);
    },
  };
  const stopRule = config.stopWhen === undefined ? undefined : parseStopRule(config.stopWhen);
  const { metrics, startGeneration, stoppedAt } = await runLoop(
    {
      family: parts.family,
      policy: parts.policy,
      real: parts.real as never,
      generations: config.generations,
      samplesPerGeneration: config.samplesPerGeneration,
      seed: config.seed,
      snapshotGenerations: config.snapshotGenerations,
      snapshotSize: config.snapshotSize,
      checkpointSeconds: config.checkpointSeconds,
      stopWhen: stopRule && ((line) => ruleMet(stopRule, line)),
    },
    folder,
    folder ? loopHooks : { ...loopHooks, scratch: TEMP_SCRATCH },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const summary: RunSummary = {
    schema: SCHEMA_IDS.summary,
    metricsSchema: SCHEMA_IDS.metricsLine,
    name: config.name,
    runDir: folder?.dir ?? null,
    family: config.family.type,
    policy: config.policy.type,
    seed: config.seed,
    generations: config.generations,
    first: metrics[0],
    final: metrics[metrics.length - 1],
    wallSeconds,
    generationsPerSecond: (metrics.length - startGeneration) / wallSeconds,
    ...(stopRule && stoppedAt !== null ? { stopped: { generation: stoppedAt, rule: stopRule.text } } : {}),
    resumedFrom: startGeneration > 0 ? startGeneration : null,
    version: VERSION,
    theory: findFamily(config.family.type)?.theory?.(config, metrics) ?? [],
  };
  folder?.writeMetricsCsv(metrics);
  folder?.writeSummary(summary);
  // The run's report (report.html + figures/, issue 4). The data are already safe on disk, so a report that
  // fails is logged and the run still succeeds; reports/report.ts buildRunReport(dir) rebuilds it. Loaded
  // lazily: in-memory runs never pay for vega.
  if (folder && report) {
    try {
      await (await import('../reports/report.js')).buildRunReport(folder.dir);
    } catch (error) {
      const reason = fileSystemError(error)?.message ?? String(error);
      process.stderr.write(`collapse-lab: report for ${folder.dir} failed (run data kept): ${reason}\n`);
    }
  }
  return { config, runDir: folder?.dir ?? null, metrics, summary };
}

/**
 * Brings the run folder `dir` to completion, whatever state it is in: a finished run is read back (no work), an
 * unfinished one resumed, an absent one started. A sweep re-run and a queue's redelivered job both rely on
 * this, so a trial is computed once however often it is asked for.
 */
export async function runToCompletion(
  config: ExperimentConfig,
  dir: string,
  options: ResumeOptions = {},
): Promise<RunSummary> {
  if (!fs.existsSync(path.join(dir, FILES.config))) return (await runExperiment(config, { ...options, dir })).summary;
  const finished = readSummary(dir);
  if (finished) return finished as unknown as RunSummary;
  return (await resumeExperiment(dir, options)).summary;
}
