/**
 * The reproduce report: per paper experiment its claim, the sentences and table computed from its runs, its
 * figures, and links to every run's own report.
 */
import os from 'node:os';
import path from 'node:path';
import { writeJsonAtomic } from '../core/atomic-file.js';
import { SCHEMA_IDS } from '../core/file-formats.js';
import type { RunGroup } from '../plots/groups.js';
import { escapeAttr, escapeHtml, paragraphs, table } from '../plots/html.js';
import type { Figure } from '../plots/plot.js';
import { collapseRateTable, type RateRow } from './collapse-rates.js';
import { writeCurvesCsv } from './tidy.js';
import { figuresHtml, REPORT_FILE, renderAndSave, writePage } from './write.js';

export interface SuiteSection {
  readonly id: string;
  readonly title: string;
  readonly claim: string;
  readonly figures: readonly Figure[];
  readonly findings: {
    readonly sentences: readonly string[];
    readonly table: { readonly headers: readonly string[]; readonly rows: readonly (readonly string[])[] };
  };
  readonly runDirs: readonly string[];
  /** The runs, read once and grouped by config (empty when skipped). */
  readonly groups: readonly RunGroup[];
  /** Set when the experiment could not run (e.g. its data are missing): the reason, shown instead of results. */
  readonly skipped?: string;
  /** What the section redraws from the paper, and the paper's outcome there. */
  readonly published?: { readonly redraws: string; readonly reported: string };
}

export interface SuiteMeta {
  readonly quick: boolean;
  readonly wallSeconds: number;
  readonly runs: number;
  /** The claims table the report opens with. */
  readonly claims?: readonly ClaimRow[];
  /** One row per configuration of every experiment that ran: its collapse rate (see collapse-rates.ts). */
  readonly rates?: readonly RateRow[];
  /** The paper the suite reproduces: named in the title and beside each section. */
  readonly paper?: { readonly citation: string; readonly short: string };
}

/** One published claim or closed form, as measured in this suite: pass, fail, or not run (null). */
export interface ClaimRow {
  readonly experiment: string;
  readonly claim: string;
  readonly source: string;
  readonly measured: string;
  readonly bar: string;
  readonly pass: boolean | null;
  /** Re-runs just this row's experiment. */
  readonly command: string;
}

/**
 * Which collapse a row means. Schaeffer et al. (2025) count eight definitions in the literature; their list could
 * not be verified here (docs/definitions.md says what could), so the report names the kinds the rows measure.
 */
const COLLAPSE_MEANS =
  '“Collapse” means different things in different papers: Schaeffer, Kazdan, Arulandu and Koyejo (2025, “Model Collapse Does Not Mean What You Think”, arXiv 2503.03150) count eight definitions. The rows below measure variance or diversity lost, tails lost, real-data loss rising, distance from the real distribution, and agreement with closed forms; each metric’s tag is in the run reports, and docs/definitions.md explains the tags and what of the eight could be verified.';

function claimsSection(claims: readonly ClaimRow[]) {
  const passed = claims.filter((c) => c.pass === true).length;
  const failed = claims.filter((c) => c.pass === false).length;
  const html = `<p>${passed} of ${claims.length} claims pass${failed ? `, ${failed} fail` : ''}${claims.length - passed - failed ? `, ${claims.length - passed - failed} not run` : ''}. Each row is measured from this report's runs; a failing row stays in the table.</p>\n<p>${COLLAPSE_MEANS}</p>\n${table(
    ['claim', 'source', 'measured here', 'bar', 'result', 're-run'],
    claims.map((c) => [
      c.claim,
      c.source,
      c.measured,
      c.bar,
      c.pass === null ? 'not run' : c.pass ? 'pass' : 'FAIL',
      c.command,
    ]),
  )}`;
  return { title: 'Claims checked', html };
}

/** The paper's figure and outcome beside ours: the section's first computed sentence. */
function paperBeside(s: SuiteSection, paper: SuiteMeta['paper']): string {
  if (!s.published) return '';
  const ours = s.skipped ? `not run (${s.skipped})` : (s.findings.sentences[0] ?? '');
  return table(
    ['', 'what', 'outcome'],
    [
      [paper?.short ?? 'paper', s.published.redraws, s.published.reported],
      ['collapse-lab (this run)', s.title, ours],
    ],
  );
}

export async function writeSuiteReport(
  outDir: string,
  sections: readonly SuiteSection[],
  meta: SuiteMeta,
): Promise<string> {
  const parts = meta.claims?.length ? [claimsSection(meta.claims)] : [];
  const rates = meta.rates && collapseRateTable(meta.rates);
  if (rates) parts.push({ title: 'One collapse rate across families', html: rates });
  for (const s of sections) {
    if (s.skipped) {
      parts.push({
        title: s.title,
        html: `<p><em>${escapeHtml(s.claim)}</em></p>\n${paperBeside(s, meta.paper)}\n<p class="skipped">Skipped: ${escapeHtml(s.skipped)}</p>`,
      });
      continue;
    }
    const figures = await renderAndSave(outDir, s.figures, `${s.id}-`);
    const links = s.runDirs
      .map((d) => path.relative(outDir, path.join(d, REPORT_FILE)))
      .map((href) => `<a href="${escapeAttr(href)}">${escapeHtml(path.basename(path.dirname(href)))}</a>`)
      .join(' · ');
    parts.push({
      title: s.title,
      html: [
        `<p><em>${escapeHtml(s.claim)}</em></p>`,
        paperBeside(s, meta.paper),
        `<div id="findings-${escapeAttr(s.id)}">${paragraphs(s.findings.sentences)}</div>`,
        figuresHtml(figures),
        table(s.findings.table.headers, s.findings.table.rows),
        `<p>Run reports: ${links}</p>`,
      ].join('\n'),
    });
  }
  writeCurvesCsv(
    outDir,
    sections.flatMap((s) => s.groups.map((g) => ({ label: `${s.id}: ${g.label}`, runs: g.runs }))),
  );
  const { rates: _rates, ...recorded } = meta;
  writeJsonAtomic(path.join(outDir, 'results.json'), {
    schema: SCHEMA_IDS.results,
    ...recorded,
    experiments: sections.map((s) => ({
      id: s.id,
      ...(s.skipped ? { skipped: s.skipped } : {}),
      sentences: s.findings.sentences,
      table: s.findings.table,
    })),
  });
  const ran = sections.filter((s) => !s.skipped).length;
  const mode = meta.quick ? 'quick mode (shorter runs)' : 'full runs';
  return writePage(
    outDir,
    `collapse-lab: ${meta.paper?.citation ?? 'the paper'}, reproduced`,
    `${ran} of ${sections.length} experiments, ${meta.runs} runs, ${mode}; ran in ${meta.wallSeconds.toFixed(0)} s on ${os.availableParallelism()} cores.`,
    parts,
  );
}
