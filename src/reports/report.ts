/**
 * The report of one run folder: report.html (config, first/final numbers, the family's figures and every
 * metric's curve) with figures/*.png beside it. Built when a run ends, or again at any time from the folder.
 */

import { type RunData, readRun } from '../core/run-store.js';
import { findFamily } from '../families/index.js';
import { definitionLabel } from '../metrics/definitions.js';
import { format } from '../plots/generic.js';
import { jsonBlock, table } from '../plots/html.js';
import { numericMetricNames, policyLabel } from '../plots/series.js';
import type { TheoryCheck } from '../theory/check.js';
import { runFigures, runSections } from './figures.js';
import { figuresHtml, renderAndSave, type WrittenReport, writePage } from './write.js';

export async function buildRunReport(runDir: string): Promise<WrittenReport> {
  const run = readRun(runDir);
  const figures = await renderAndSave(runDir, runFigures(run));
  const c = run.config;
  const subtitle = `${c.family.type} under '${policyLabel(c)}', seed ${c.seed}, ${run.metrics.length} of ${c.generations} generations, M = ${c.samplesPerGeneration}${run.summary ? '' : ' (unfinished run)'}`;
  const html = writePage(runDir, `collapse-lab report: ${c.name}`, subtitle, [
    { title: 'Numbers', html: numbersTable(run) },
    ...theorySection(run),
    { title: 'Figures', html: figuresHtml(figures) },
    ...runSections(run),
    { title: 'Config', html: jsonBlock(c, 'config.json (resolved)') },
  ]);
  return { html, pngs: figures.map((f) => `figures/${f.id}.png`), figures };
}

/** The run against its family's closed forms (from summary.json), a check out of band flagged. */
function theorySection(run: RunData) {
  const checks = (run.summary?.theory ?? []) as readonly TheoryCheck[];
  if (checks.length === 0) return [];
  const rows = checks.map((c) => [
    c.name,
    format(c.measured),
    `${format(c.expected)} ± ${format(c.sd)}`,
    format(c.z),
    c.inBand ? 'within the band' : 'OUT OF BAND',
  ]);
  const out = checks.filter((c) => !c.inBand).length;
  const lede = out
    ? `<p class="skipped">${out} of ${checks.length} numbers leave theory's band (|z| ≥ 3.5): check the run.</p>`
    : '<p>Every number is within theory’s band (|z| < 3.5).</p>';
  return [
    {
      title: 'Against theory',
      html: `${lede}\n${table(['quantity', 'measured', 'theory (mean ± sd)', 'z', ''], rows)}`,
    },
  ];
}

/** Every numeric metric at generation 0 and at the last generation. */
export function numbersTable(run: RunData): string {
  const first = run.metrics[0] ?? {};
  const last = run.metrics[run.metrics.length - 1] ?? {};
  const value = (v: unknown) => format(typeof v === 'number' ? v : null);
  const own = findFamily(run.config.family.type)?.definitions;
  return table(
    ['metric', 'collapse it measures', 'generation 0', `generation ${last.generation ?? '–'}`],
    numericMetricNames(run.metrics).map((name) => [
      name,
      definitionLabel(name, own),
      value(first[name]),
      value(last[name]),
    ]),
  );
}
