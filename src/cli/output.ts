/** How a finished run is shown: JSON on stdout for scripts, or a few readable lines for people. */
import fs from 'node:fs';
import path from 'node:path';
import { FILES } from '../core/run-store.js';
import type { RunSummary } from '../experiments/run.js';

/** Where a run folder's files are, for a script to open: the report only where it was written. */
export function runFiles(runDir: string | null): Record<string, string> | null {
  if (runDir === null) return null;
  const files: Record<string, string> = {
    config: path.join(runDir, FILES.config),
    metrics: path.join(runDir, FILES.metrics),
    summary: path.join(runDir, FILES.summary),
  };
  const csv = path.join(runDir, 'metrics.csv');
  if (fs.existsSync(csv)) files.metricsCsv = csv;
  const report = path.join(runDir, 'report.html');
  if (fs.existsSync(report)) files.report = report;
  return files;
}

/** The summary with its files, as `--json` and `--progress jsonl` print it. */
export function summaryJson(summary: RunSummary): RunSummary & { files: Record<string, string> | null } {
  return { ...summary, files: runFiles(summary.runDir) };
}

export function printSummary(summary: RunSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summaryJson(summary), null, 2)}\n`);
    return;
  }
  const lines = [
    `${summary.name}: ${summary.generations} generations of ${summary.family} under '${summary.policy}' (seed ${summary.seed}) in ${summary.wallSeconds.toFixed(2)} s (${summary.generationsPerSecond.toFixed(1)} gen/s)`,
  ];
  const files = runFiles(summary.runDir);
  if (summary.stopped)
    lines.push(`stopped at generation ${summary.stopped.generation}: ${summary.stopped.rule} (stopWhen)`);
  if (summary.runDir) lines.push(`run folder: ${summary.runDir}`);
  if (files?.report) lines.push(`report: ${files.report}`);
  lines.push('metric                       generation 0         final');
  for (const [key, value] of Object.entries(summary.final)) {
    if (key === 'generation' || Array.isArray(value)) continue;
    lines.push(`${key.padEnd(28)} ${fmt(summary.first[key]).padStart(12)} ${fmt(value).padStart(14)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function fmt(v: unknown): string {
  if (typeof v !== 'number') return String(v ?? '-');
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4);
}
