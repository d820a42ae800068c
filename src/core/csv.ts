/** Tidy CSV for pandas and R: RFC 4180 quoting, one header row, objects as JSON. */
import type { Metrics } from './family.js';

export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(rows: readonly (readonly unknown[])[]): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/**
 * metrics.jsonl as a table: one row per generation, one column per scalar metric (in first-seen order). List
 * metrics (histograms, per-outcome counts) stay in the JSON lines.
 */
export function metricsCsv(lines: readonly Metrics[]): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const line of lines)
    for (const [key, value] of Object.entries(line))
      if (!seen.has(key) && (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')) {
        seen.add(key);
        columns.push(key);
      }
  return csv([columns, ...lines.map((line) => columns.map((c) => line[c]))]);
}
