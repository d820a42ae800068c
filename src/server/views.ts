/**
 * What each page of the web UI shows, as JSON: built by the same modules as the reports (run store, figures,
 * comparison and sweep views), so a chart in the UI is the chart in report.html, drawn by vega-embed instead
 * of rendered to PNG.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listCollections, listRuns, type RunListing, readRun, runStatus } from '../core/run-store.js';
import { groupRuns } from '../plots/groups.js';
import type { Section } from '../plots/html.js';
import { withLook } from '../plots/look.js';
import type { Figure } from '../plots/plot.js';
import { collapseRateTable } from '../reports/collapse-rates.js';
import { distinctRuns, finalTable } from '../reports/compare.js';
import { compareFigures, runFigures, runSections } from '../reports/figures.js';
import { REPORT_FILE } from '../reports/write.js';
import { sweepView } from '../sweeps/report.js';
import { SWEEP_FILE } from '../sweeps/sweep-folder.js';

/** A figure as the client draws it: the spec with the report's look merged in. */
export interface FigureView {
  readonly id: string;
  readonly title: string;
  readonly caption?: string;
  readonly spec: Record<string, unknown>;
}

const viewOf = (f: Figure): FigureView => ({ id: f.id, title: f.title, caption: f.caption, spec: withLook(f.spec) });

/** A folder's name in URLs: its path under the runs folder, '/'-separated. */
export const idOf = (root: string, dir: string) => path.relative(root, dir).split(path.sep).join('/');

export function listView(root: string) {
  const row = (r: RunListing) => ({
    id: idOf(root, r.dir),
    name: r.name,
    family: r.family,
    policy: r.policy,
    seed: r.seed,
    status: r.status,
    generationsDone: r.generationsDone,
    generations: r.generations,
    started: r.started ?? null,
    problem: r.problem ?? null,
  });
  return {
    runs: listRuns(root).map(row),
    collections: listCollections(root).map((c) => ({
      id: idOf(root, c.dir),
      kind: c.kind,
      started: c.started,
      runs: c.runs.map(row),
    })),
  };
}

export function runView(root: string, dir: string) {
  const run = readRun(dir);
  const sections: Section[] = runSections(run);
  return {
    id: idOf(root, dir),
    config: run.config,
    status: runStatus(dir),
    generationsDone: run.metrics.length,
    progress: run.progress ?? null,
    summary: run.summary ?? null,
    figures: runFigures(run).map(viewOf),
    // Built by plots/html.ts's helpers, which escape every text from the run.
    sections,
    report: fs.existsSync(path.join(dir, REPORT_FILE)) ? `/files/${idOf(root, dir)}/${REPORT_FILE}` : null,
  };
}

export function compareView(root: string, dirs: readonly string[]) {
  const { kept, dropped } = distinctRuns(dirs.map(readRun));
  const families = [...new Set(kept.map((r) => r.config.family.type))];
  return {
    dropped: dropped.map((d) => ({ id: idOf(root, d.dir), sameAs: idOf(root, d.sameAs) })),
    families: families.map((family) => {
      const groups = groupRuns(kept.filter((r) => r.config.family.type === family));
      return {
        family,
        groups: groups.map((g) => ({ label: g.label, runs: g.runs.map((r) => idOf(root, r.dir)) })),
        finalTable: finalTable(groups),
        rates: collapseRateTable(groups) ?? null,
        figures: compareFigures(groups).map(viewOf),
      };
    }),
  };
}

export function isSweep(dir: string): boolean {
  return fs.existsSync(path.join(dir, SWEEP_FILE));
}

export function sweepPageView(root: string, dir: string) {
  const view = sweepView(dir);
  return {
    id: idOf(root, dir),
    name: view.record.name,
    axes: view.record.axes,
    runner: view.record.runner,
    metric: view.metric ?? null,
    counts: view.folder.counts(),
    cellHeader: view.cellHeader,
    cellRows: view.cellRows,
    figures: view.figures.map(viewOf),
    trials: view.record.trials.map((t) => ({
      id: t.id,
      run: idOf(root, view.folder.trialDir(t.id)),
      point: t.point,
      seed: t.seed,
      state: view.folder.isFinished(t.id) ? 'finished' : t.state,
      attempts: t.attempts,
      generationsDone: t.generationsDone ?? null,
      generations: t.generations,
      error: t.error ?? null,
    })),
  };
}
