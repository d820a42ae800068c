/**
 * The live display of a sweep: one line for the whole sweep (finished, running, failed, queued, trials per
 * minute, ETA), redrawn in place on a terminal and printed every few seconds to a log otherwise.
 */
import type { SweepRecord } from '../sweeps/index.js';
import { formatDuration } from './progress.js';

export function sweepLine(record: SweepRecord, finishedHere: number, seconds: number): string {
  const counts = { queued: 0, running: 0, finished: 0, failed: 0 };
  for (const t of record.trials) counts[t.state]++;
  const perMinute = seconds > 0 ? (finishedHere / seconds) * 60 : 0;
  const left = counts.queued + counts.running;
  const eta = perMinute > 0 ? (left / perMinute) * 60 : Number.POSITIVE_INFINITY;
  return `sweep ${record.name}: ${counts.finished}/${record.trials.length} finished · ${counts.running} running · ${counts.failed} failed · ${counts.queued} queued · ${perMinute.toFixed(1)} trials/min · ETA ${left === 0 ? '0:00' : formatDuration(eta)}`;
}

export class SweepStatus {
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly finishedBefore: number;

  constructor(
    record: SweepRecord,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.finishedBefore = record.trials.filter((t) => t.state === 'finished').length;
  }

  update(record: SweepRecord, force = false): void {
    const now = performance.now();
    const tty = Boolean(this.stream.isTTY);
    if (!force && now - this.lastDraw < (tty ? 200 : 5000)) return;
    this.lastDraw = now;
    const finishedHere = record.trials.filter((t) => t.state === 'finished').length - this.finishedBefore;
    const line = sweepLine(record, finishedHere, (now - this.started) / 1000);
    this.stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(record: SweepRecord): void {
    this.update(record, true);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
