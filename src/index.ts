/**
 * collapse-lab's library API. `runExperiment` runs a config (or a preset via `resolveConfig`) and returns its
 * metrics; the building blocks below let a researcher plug in a family or a policy of their own.
 */

/** The zod the config schemas are built with: a family's options schema from outside should use this one. */
export { z } from 'zod';
export type { Dataset } from './core/dataset.js';
export { concatDatasets, labelDataset, REAL, realShare, takeItems } from './core/dataset.js';
export { RunFolderError, UsageError } from './core/errors.js';
export type {
  EvaluateContext,
  FitContext,
  Metrics,
  MetricValue,
  ModelFamily,
  ModelState,
  SampleContext,
} from './core/family.js';
export type { LoopHooks, LoopResult, LoopSpec, Stage } from './core/loop.js';
export { runLoop } from './core/loop.js';
export type { DataPolicy, PolicyContext, PolicyResult, Scorer, ScoringModel } from './core/policy.js';
export type { RealData, Truth } from './core/real-data.js';
export { deriveRng, Rng } from './core/rng.js';
export { RunFolder } from './core/run-folder.js';
export type {
  Progress,
  RunConfig,
  RunData,
  RunEvent,
  RunListing,
  RunStatus,
  Snapshot,
  WatchOptions,
} from './core/run-store.js';
export { listRuns, readRun, runStatus, watchRun } from './core/run-store.js';
export * from './core/samples.js';
export type { WikiTextSplit, WikiTextVariant } from './data/wikitext.js';
export { downloadWikiText, readWikiText } from './data/wikitext.js';
export type {
  ExperimentConfig,
  ExperimentInput,
  FamilyConfig,
  PolicyConfig,
  RealConfig,
} from './experiments/config.js';
export { experimentSchema, parseExperimentConfig } from './experiments/config.js';
export type { Executor, ExecutorEvents, RunJob, RunOutcome } from './experiments/executor.js';
export { summariesOf } from './experiments/executor.js';
export { inProcessExecutor } from './experiments/executors/in-process.js';
export { localExecutor } from './experiments/executors/local.js';
export { workerPoolExecutor } from './experiments/executors/worker-pool.js';
export type { ComparisonOptions, MitigationConfig, MitigationResult } from './experiments/mitigations.js';
export { lmMitigationConfigs, mitigationConfigs, runComparison } from './experiments/mitigations.js';
export type { Findings, PaperExperiment } from './experiments/paper/index.js';
export { paperExperiments, registerExperiment } from './experiments/paper/index.js';
export type { ReproduceOptions, ReproduceResult } from './experiments/reproduce.js';
export { reproduce } from './experiments/reproduce.js';
export type { RunOptions, RunResult, RunSummary } from './experiments/run.js';
export { resolveConfig, resumeExperiment, runExperiment, seedConfigs, VERSION } from './experiments/run.js';
export type { FamilyDefinition, FamilyFigures, Preset, PresetConfig } from './families/index.js';
export { allPresets, defineFamily, familyDefinitions, registerFamily } from './families/index.js';
export { accumulatePolicy } from './policies/accumulate.js';
export { accumulateSubsamplePolicy } from './policies/accumulate-subsample.js';
export type { FilterOptions, FilterSelection } from './policies/filter.js';
export { filterPolicy } from './policies/filter.js';
export { mixPolicy } from './policies/mix.js';
export { replacePolicy } from './policies/replace.js';
export type { WebOptions } from './policies/web.js';
export { webPolicy, webSchedule } from './policies/web.js';
export { buildComparisonReport } from './reports/compare.js';
export { buildRunReport } from './reports/report.js';
export type { Tokenizer } from './tokenizers/index.js';
export { BpeTokenizer, tokenizerFromJson, WordTokenizer } from './tokenizers/index.js';
export type { Detection, WatermarkOptions } from './watermark/index.js';
export { detect, detectSequences, GreenList, WATERMARK_DEFAULTS, zScore } from './watermark/index.js';
