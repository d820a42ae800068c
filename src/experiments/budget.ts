/**
 * A warning before a run spends more time or disk than its owner likely meant (`--generations 1e9` once wrote
 * 468 MB in ten minutes, silently). Two looks: before the start, a lower bound on disk from the metrics lines
 * alone; after a few seconds of running, the measured rate and the folder's growth, extrapolated.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../core/format-bytes.js';

/** Past either, a run is announced with its estimate. */
export const BUDGET_THRESHOLDS = { seconds: 3600, bytes: 1024 ** 3 } as const;
/** Seconds of running before the estimate is measured: start-up no longer dominates. */
const MEASURE_AFTER_SECONDS = 5;
/** The smallest metrics line the lab writes, in bytes: a floor on the disk any run needs per generation. */
const MIN_METRICS_LINE_BYTES = 100;

const HOW_TO_STOP =
  'Ctrl-C stops it safely (\'collapse-lab resume\' continues it); stopWhen (run --stop-when "variance<1e-12") ends it once collapsed';

/** Before the run: a notice when its metrics lines alone would pass the disk threshold. */
export function budgetBeforeStart(generations: number): string | undefined {
  const bytes = generations * MIN_METRICS_LINE_BYTES;
  if (bytes < BUDGET_THRESHOLDS.bytes) return undefined;
  return `this run has ${generations.toLocaleString('en-US')} generations: its metrics lines alone will take at least ${formatBytes(bytes)} of disk. ${HOW_TO_STOP}.`;
}

/** Watches the first seconds of a run and returns one notice when the extrapolated run passes a threshold. */
export class BudgetWatch {
  private readonly started = performance.now();
  private baseline: { generation: number; seconds: number; bytes: number } | undefined;
  private done = false;

  constructor(
    private readonly dir: string | null,
    private readonly generations: number,
  ) {}

  /** Generation `g` is complete; a notice the first time the estimate is known and too large. */
  observe(g: number): string | undefined {
    if (this.done) return undefined;
    const seconds = (performance.now() - this.started) / 1000;
    if (!this.baseline) {
      // The first generation carries start-up: the estimate counts from its end.
      this.baseline = { generation: g, seconds, bytes: this.bytes() };
      return undefined;
    }
    if (seconds - this.baseline.seconds < MEASURE_AFTER_SECONDS || g >= this.generations - 1) return undefined;
    this.done = true;
    const perGeneration = (seconds - this.baseline.seconds) / (g - this.baseline.generation);
    const bytesPerGeneration = Math.max(0, this.bytes() - this.baseline.bytes) / (g - this.baseline.generation);
    const left = this.generations - 1 - g;
    const moreSeconds = perGeneration * left;
    const moreBytes = bytesPerGeneration * left;
    const free = this.freeBytes();
    const tooLong = moreSeconds > BUDGET_THRESHOLDS.seconds;
    const tooBig = moreBytes > BUDGET_THRESHOLDS.bytes || (free !== undefined && moreBytes > free);
    if (!tooLong && !tooBig) return undefined;
    const disk = free !== undefined && moreBytes > free ? `, more than the ${formatBytes(free)} free there` : '';
    return `at its pace so far (${perGeneration < 1 ? `${(1 / perGeneration).toFixed(1)} generations/s` : `${perGeneration.toFixed(1)} s a generation`}, ${formatBytes(bytesPerGeneration)} a generation), this run needs about ${formatHours(moreSeconds)} and ${formatBytes(moreBytes)} more${disk}. ${HOW_TO_STOP}.`;
  }

  private bytes(): number {
    return this.dir === null ? 0 : folderBytes(this.dir);
  }

  private freeBytes(): number | undefined {
    if (this.dir === null) return undefined;
    try {
      const s = fs.statfsSync(this.dir);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
    } catch {
      // a checkpoint file replaced while we looked: it no longer counts
    }
  }
  return total;
}

function formatHours(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400 * 2) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(0)} days`;
}
