/**
 * The loop's heartbeat: progress.json (generation, phase, fraction, time, pid, host), so another process can
 * show live progress and tell a dead run from a slow one. It is rewritten at most once a second: a durable
 * atomic write costs about as much as a whole GMM generation, and a fast run reports thousands of stages a
 * second, so all but one call a second cost a single clock read.
 */
import os from 'node:os';
import type { Progress } from './run-store.js';

export const HEARTBEAT_INTERVAL_MS = 1000;

export class ProgressHeartbeat {
  private lastWrite = Number.NEGATIVE_INFINITY;
  private readonly host = os.hostname();

  constructor(
    private readonly write: (progress: Progress) => void,
    private readonly generations: number,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records where the loop is; written only if the last write is `intervalMs` old (or `force`). */
  beat(generation: number, phase: Progress['phase'], fraction: number, message?: string, force = false): void {
    const now = this.now();
    if (!force && now - this.lastWrite < this.intervalMs) return;
    this.lastWrite = now;
    this.write({
      generation,
      generations: this.generations,
      phase,
      fraction,
      ...(message === undefined ? {} : { message }),
      time: new Date(now).toISOString(),
      pid: process.pid,
      host: this.host,
    });
  }
}
