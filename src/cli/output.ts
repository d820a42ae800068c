/** How a finished run is shown: JSON on stdout for scripts, or a few readable lines for people. */
import type { RunSummary } from '../experiments/run.js';

export function printSummary(summary: RunSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const lines = [
    `${summary.name}: ${summary.generations} generations of ${summary.family} under '${summary.policy}' (seed ${summary.seed}) in ${summary.wallSeconds.toFixed(2)} s (${summary.generationsPerSecond.toFixed(1)} gen/s)`,
  ];
  if (summary.runDir) lines.push(`run folder: ${summary.runDir}`);
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
