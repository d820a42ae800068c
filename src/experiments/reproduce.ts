/**
 * `reproduce`: every paper experiment the lab has (experiments/paper/), run and written up in one report.
 *
 * All runs of all experiments are submitted to one executor (a local worker pool by default), longest first,
 * then each experiment's runs are grouped by config (seeds of one config become one line with a band) and the
 * experiment computes its figures, table and sentences from them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Metrics } from '../core/family.js';
import { readRun } from '../core/run-store.js';
import { didYouMean } from '../core/suggest.js';
import { findFamily } from '../families/index.js';
import { groupRuns } from '../plots/groups.js';
import { compareFigures } from '../reports/figures.js';
import { type ClaimRow, type SuiteSection, writeSuiteReport } from '../reports/suite.js';
import type { ExperimentConfig } from './config.js';
import type { Executor, RunOutcome } from './executor.js';
import { localExecutor } from './executors/local.js';
import type { PaperExperiment } from './paper/experiment.js';
import { type Findings, paperExperiments } from './paper/index.js';
import { PAPER, PUBLISHED } from './paper/published.js';

export interface ReproduceOptions {
  readonly quick?: boolean;
  /** Also the runs too long for the default suite (the VAE at the notebook's settings: hours per generation). */
  readonly full?: boolean;
  /** The report folder; run folders go to <out>/runs. */
  readonly out: string;
  /** Experiment ids to run (default: all). */
  readonly only?: readonly string[];
  /** Most runs at once (default: the cores); ignored when `executor` is given. */
  readonly parallel?: number;
  /** Where WikiText-2 and MNIST are (instead of $COLLAPSE_LAB_DATA and the download cache). */
  readonly dataDir?: string;
  /** Where the runs go (default: localExecutor({ parallel })); the caller keeps ownership of one it passes. */
  readonly executor?: Executor;
  /** Progress of the runs: `runs` once, in the order the executor takes them, then each run's generations. */
  readonly progress?: {
    onStart?(runs: readonly { readonly experiment: string; readonly config: ExperimentConfig }[]): void;
    onGeneration?(run: number, generation: number, line?: Metrics): void;
    onStage?(run: number, message: string | undefined): void;
    onRunEnded?(run: number): void;
    readonly everyGeneration?: boolean;
  };
}

export interface ReproduceResult {
  readonly report: string;
  readonly wallSeconds: number;
  readonly experiments: {
    readonly id: string;
    /** Why the experiment did not run (its first failing run's error), when it did not. */
    readonly skipped?: string;
    readonly sentences: string[];
    readonly table: Findings['table'];
  }[];
  /** Every claim the experiments check, measured (pass null: its experiment did not run). */
  readonly claims: readonly ClaimRow[];
}

/**
 * Rough cost of a run, for scheduling longest first so the last run to finish is a short one and the cores
 * stay busy: generations × samples, weighted by the family's measured cost (its definition's `weight`).
 */
function cost(c: ExperimentConfig): number {
  return c.generations * c.samplesPerGeneration * (findFamily(c.family.type)?.weight ?? 1);
}

/** The experiments `only` names (all when absent); a UsageError for an unknown id, before anything is written. */
export function selectExperiments(only: readonly string[] | undefined) {
  const all = paperExperiments();
  if (!only) return all;
  return only.map((id) => {
    const e = all.find((x) => x.id === id);
    if (!e)
      throw new UsageError(
        `reproduce: unknown experiment '${id}'${didYouMean(
          id,
          all.map((x) => x.id),
        )}; choose from ${all.map((x) => x.id).join(', ')}`,
      );
    return e;
  });
}

/** Every chosen experiment's claims, measured; an experiment that did not run gives its claims as not run. */
function checkClaims(
  chosen: readonly PaperExperiment[],
  sections: readonly SuiteSection[],
  computed: ReadonlyMap<string, unknown>,
  quick: boolean,
): ClaimRow[] {
  return chosen.flatMap((e) => {
    const section = sections.find((s) => s.id === e.id) as SuiteSection;
    const command = `collapse-lab reproduce --only ${e.id}${quick ? ' --quick' : ''}`;
    return (e.claims ?? []).map((c): ClaimRow => {
      const row = { experiment: e.id, claim: c.claim, source: c.source, bar: c.bar, command };
      if (section.skipped) return { ...row, measured: `not run: ${section.skipped}`, pass: null };
      try {
        return { ...row, ...c.measure(section.groups, computed.get(e.id)) };
      } catch (error) {
        return { ...row, measured: `could not be measured: ${(error as Error).message}`, pass: false };
      }
    });
  });
}

export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const started = performance.now();
  const quick = Boolean(options.quick);
  const chosen = selectExperiments(options.only);
  const full = Boolean(options.full) && !quick;
  const jobs = chosen.flatMap((e) =>
    e.configs(quick, full).map((config) => ({
      experiment: e.id,
      config: withDataDir(config, options.dataDir),
      report: e.runReports,
    })),
  );
  const order = jobs.map((_, i) => i).sort((a, b) => cost(jobs[b].config) - cost(jobs[a].config));
  fs.mkdirSync(options.out, { recursive: true });
  const runs = path.join(options.out, 'runs');
  // An executor made here is closed here; one passed in belongs to the caller.
  const executor = options.executor ?? localExecutor({ parallel: options.parallel });
  options.progress?.onStart?.(order.map((i) => jobs[i]));
  const progress = {
    everyGeneration: options.progress?.everyGeneration,
    onGeneration: (k: number, g: number, line?: Metrics) => options.progress?.onGeneration?.(k, g, line),
    onOutcome: (k: number) => options.progress?.onRunEnded?.(k),
    ...(options.progress?.onStage
      ? {
          onStage: (k: number, _g: number, _stage: unknown, _fraction: number, message?: string) =>
            options.progress?.onStage?.(k, message),
        }
      : {}),
  };
  const outcomes = await executor
    .run(
      order.map((i) => ({ config: jobs[i].config, out: runs, report: jobs[i].report })),
      progress,
    )
    .finally(() => (options.executor ? undefined : executor.close?.()));
  if (outcomes.length !== jobs.length)
    throw new Error(
      `reproduce: executor '${executor.name}' returned ${outcomes.length} outcomes for ${jobs.length} jobs`,
    );
  const outcomeOf = new Map(order.map((i, k) => [i, outcomes[k]]));

  const computed = new Map(chosen.map((e) => [e.id, e.compute?.(quick)]));
  const results: ReproduceResult['experiments'][number][] = [];
  const sections: SuiteSection[] = chosen.map((e) => {
    const mine = jobs.flatMap((j, i) => (j.experiment === e.id ? [outcomeOf.get(i) as RunOutcome] : []));
    const failed = mine.find((o): o is { error: Error } => 'error' in o);
    const runDirs = mine.flatMap((o) => ('summary' in o ? [o.summary.runDir as string] : []));
    const base = { id: e.id, title: e.title, claim: e.claim, runDirs, published: PUBLISHED[e.id] };
    // An experiment whose data are missing (WikiText-2 not downloaded, say) is skipped, and says why.
    if (failed) {
      const skipped = failed.error.message.split('\n')[0];
      results.push({ id: e.id, skipped, sentences: [], table: { headers: [], rows: [] } });
      return {
        ...base,
        skipped,
        groups: [],
        figures: [],
        findings: { sentences: [], table: { headers: [], rows: [] } },
      };
    }
    const groups = groupRuns(runDirs.map(readRun));
    const findings = e.findings(groups, computed.get(e.id));
    results.push({ id: e.id, ...findings });
    return {
      ...base,
      groups,
      figures: e.figures ? e.figures(groups) : compareFigures(groups).slice(0, 1),
      findings,
    };
  });
  const claims = checkClaims(chosen, sections, computed, quick);
  const rates = sections.flatMap((s) => s.groups.map((g) => ({ label: `${s.id}: ${g.label}`, runs: g.runs })));
  const wallSeconds = (performance.now() - started) / 1000;
  const report = await writeSuiteReport(options.out, sections, {
    quick,
    wallSeconds,
    runs: jobs.length,
    claims,
    rates,
    paper: PAPER,
  });
  return {
    report,
    wallSeconds: (performance.now() - started) / 1000,
    experiments: results,
    claims,
  };
}

/** The config reading its data set from `dataDir`, where its real data is a data set (WikiText-2, MNIST). */
function withDataDir(config: ExperimentConfig, dataDir: string | undefined): ExperimentConfig {
  const real = config.real;
  if (dataDir === undefined || (real.type !== 'wikitext' && real.type !== 'mnist')) return config;
  return { ...config, real: { ...real, dataDir } };
}
