/**
 * One report overlaying several runs: runs that differ only in their seed are one line (the mean) with a band,
 * different configurations are different lines. Used by `collapse-lab compare` and `run --seeds N`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../core/atomic-file.js';
import { timestamp } from '../core/run-folder.js';
import { type RunData, readRun } from '../core/run-store.js';
import { type RealConfig, truthOf } from '../data/real-data.js';
import { findFamily } from '../families/index.js';
import { definitionLabel, metricMeaning } from '../metrics/definitions.js';
import { isScaleLike, summarise } from '../metrics/seed-summary.js';
import { truthValues } from '../metrics/truth.js';
import { format } from '../plots/generic.js';
import { configIdentity, groupRuns, type RunGroup } from '../plots/groups.js';
import { table } from '../plots/html.js';
import { numericMetricNames } from '../plots/series.js';
import { collapseRateTable } from './collapse-rates.js';
import { compareFigures } from './figures.js';
import { writeCurvesCsv } from './tidy.js';
import { figuresHtml, renderAndSave, type WrittenReport, writePage } from './write.js';

export interface CompareOptions {
  readonly title?: string;
  /** What the folder holds, for `list`: several seeds of one config, or any runs compared. */
  readonly kind?: 'compare' | 'seeds';
  /** Where warnings go (a run counted twice); default stderr. */
  readonly onWarning?: (message: string) => void;
}

export async function buildComparisonReport(
  runDirs: readonly string[],
  outDir: string,
  options: CompareOptions = {},
): Promise<WrittenReport> {
  if (runDirs.length === 0) throw new RangeError('compare: no run folders given');
  const { kept, dropped } = distinctRuns(runDirs.map(readRun));
  for (const d of dropped)
    (options.onWarning ?? warn)(
      `${d.dir} is the same config and seed as ${d.sameAs}: counted once (a seed counted twice would narrow the band)`,
    );
  // One section per family: overlaying a die's and a Gaussian's metrics in one panel would compare nothing.
  const families = [...new Set(kept.map((r) => r.config.family.type))];
  const byFamily = families.map((family) => ({
    family,
    groups: groupRuns(kept.filter((r) => r.config.family.type === family)),
  }));
  const groups = byFamily.flatMap((f) => f.groups);
  fs.mkdirSync(outDir, { recursive: true });
  const figures = (
    await Promise.all(
      byFamily.map(async (f) =>
        renderAndSave(outDir, compareFigures(f.groups), families.length > 1 ? `${f.family}-` : ''),
      ),
    )
  ).flat();
  // Links relative to the report, so the folder tree can move as a whole.
  writeJsonAtomic(path.join(outDir, 'runs.json'), {
    kind: options.kind ?? 'compare',
    runs: kept.map((r) => path.relative(outDir, r.dir)),
  });
  writeCurvesCsv(outDir, groups);
  const title = options.title ?? `collapse-lab comparison: ${groups.map((g) => g.label).join(' vs ')}`;
  const sections =
    families.length === 1
      ? [
          { title: 'Final numbers', html: finalTable(groups) },
          ...rateSection(groups),
          { title: 'Figures', html: figuresHtml(figures) },
        ]
      : byFamily.flatMap((f) => [
          { title: `Family ${f.family}: final numbers`, html: finalTable(f.groups) },
          ...rateSection(f.groups),
          {
            title: `Family ${f.family}: figures`,
            html: figuresHtml(figures.filter((x) => x.id.startsWith(`${f.family}-`))),
          },
        ]);
  const html = writePage(
    outDir,
    title,
    `${kept.length} runs in ${groups.length} configurations${families.length > 1 ? ` of ${families.length} families (${families.join(', ')}), each in its own sections` : ''}`,
    [{ title: 'Runs', html: runsTable(groups, outDir) }, ...sections],
  );
  return { html, pngs: figures.map((f) => `figures/${f.id}.png`), figures };
}

function warn(message: string): void {
  process.stderr.write(`collapse-lab: ${message}\n`);
}

/**
 * The runs with each (config, seed) once: the first folder of a config and seed stays, later ones (the same
 * folder named twice, or a rerun) are dropped and reported with the folder they repeat.
 */
export function distinctRuns(runs: readonly RunData[]): {
  kept: RunData[];
  dropped: { dir: string; sameAs: string }[];
} {
  const first = new Map<string, RunData>();
  const kept: RunData[] = [];
  const dropped: { dir: string; sameAs: string }[] = [];
  for (const run of runs) {
    const key = JSON.stringify([configIdentity(run.config), run.config.seed]);
    const earlier = first.get(key);
    if (earlier) dropped.push({ dir: run.dir, sameAs: earlier.dir });
    else {
      first.set(key, run);
      kept.push(run);
    }
  }
  return { kept, dropped };
}

function rateSection(groups: readonly RunGroup[]) {
  const html = collapseRateTable(groups);
  return html ? [{ title: 'Collapse rate', html }] : [];
}

/** A fresh folder `<root>/<base>-<timestamp>` (numbered if taken) for a report that belongs to no single run. */
export function freshReportDir(root: string, base: string): string {
  fs.mkdirSync(root, { recursive: true });
  const stem = path.join(root, `${base}-${timestamp()}`);
  for (let i = 1; ; i++) {
    const dir = i === 1 ? stem : `${stem}-${i}`;
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function runsTable(groups: readonly RunGroup[], outDir: string): string {
  return table(
    ['configuration', 'seeds', 'generations', 'run folders'],
    groups.map((g) => [
      g.label,
      g.runs.map((r) => r.config.seed).join(', '),
      String(Math.max(...g.runs.map((r) => r.metrics.length))),
      g.runs.map((r) => path.relative(outDir, r.dir)).join(' '),
    ]),
  );
}

/**
 * Each shared metric at the last generation: the mean over seeds (geometric for scale-like metrics) with its 95%
 * interval, n in each column's header; where the real distribution is known, its value in a truth column.
 */
export function finalTable(groups: readonly RunGroup[]): string {
  const names = numericMetricNames(groups[0].runs[0].metrics);
  const own = findFamily(groups[0].runs[0].config.family.type)?.definitions;
  const known = truthOf(groups[0].runs[0].config.real as RealConfig);
  const values = known ? truthValues(known) : {};
  const truths = names.map((name) => values[name]);
  const hasTruth = truths.some((t) => t !== undefined);
  return `${table(
    [
      'metric',
      'what it is',
      'collapse it measures',
      ...(hasTruth ? ['truth'] : []),
      ...groups.map((g) => `${g.label} (n = ${g.runs.length})`),
    ],
    names.map((name, i) => [
      isScaleLike(name) ? `${name} (geometric mean)` : name,
      metricMeaning(name),
      definitionLabel(name, own),
      ...(hasTruth ? [truths[i] === undefined ? '' : format(truths[i] as number)] : []),
      ...groups.map((g) => {
        const xs = g.runs.map((r) => r.metrics.at(-1)?.[name]).filter((v): v is number => typeof v === 'number');
        if (xs.length === 0) return '–';
        const s = summarise(name, xs);
        return xs.length > 1 ? `${format(s.mean)} [95% CI ${format(s.lo)}, ${format(s.hi)}]` : format(s.mean);
      }),
    ]),
  )}<p class="note">Last generation. With several seeds: the mean over seeds (geometric for variances, perplexities and distances) and its 95% interval (Student's t${groups.some((g) => g.runs.length > 1) ? '' : '; every configuration here has one seed'}).</p>`;
}
