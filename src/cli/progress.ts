/**
 * Progress of one or more runs, in the form the reader wants:
 * - `bar`: one redrawn line on a terminal (stderr): generation, smoothed rate, ETA and the live diversity metric;
 * - `plain`: the same facts as a plain line every few seconds, for logs and redirected output;
 * - `jsonl`: one JSON object per generation on stdout, for scripts and notebooks;
 * - `none`.
 * `auto` is `bar` on a terminal and `plain` otherwise.
 */
import { UsageError } from '../core/errors.js';
import type { Metrics } from '../core/family.js';
import type { ExperimentConfig } from '../experiments/config.js';
import { findFamily } from '../families/index.js';

export const PROGRESS_MODES = ['auto', 'bar', 'plain', 'jsonl', 'none'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** One run the reporter follows: its name, its generations, and the metric shown live (the family's diversity). */
export interface TrackedRun {
  readonly label: string;
  readonly generations: number;
  readonly seed?: number;
  readonly metric?: string;
  /**
   * Work a generation of this run takes, relative to the others (M × the family's weight): the ETA of runs of
   * different families (a Gaussian generation in microseconds, a transformer's in seconds) counts work, not
   * generations.
   */
  readonly cost?: number;
}

/** Seconds between plain lines: often enough to see a run live, rarely enough to keep a log readable. */
const PLAIN_INTERVAL_MS = 5000;
/** Redraws of the bar at most this often. */
const BAR_INTERVAL_MS = 100;
/** Time constant of the rate's exponential smoothing: recent generations count most, a stall shows in ~10 s. */
const RATE_TAU_SECONDS = 10;

export function progressMode(value: string | undefined): ProgressMode {
  if (value === undefined) return 'auto';
  if (!(PROGRESS_MODES as readonly string[]).includes(value))
    throw new UsageError(`--progress: expected one of ${PROGRESS_MODES.join(', ')}, got '${value}'`);
  return value as ProgressMode;
}

/**
 * Generations per second, smoothed. The first observed generation only starts the clock: it carries start-up
 * (data loading, compilation, the first fit of a cold cache) that later generations do not pay.
 */
export class SmoothedRate {
  private last: { time: number; done: number } | undefined;
  private rate: number | undefined;

  /** `done` generations are complete at `time` (seconds). */
  observe(time: number, done: number): void {
    if (!this.last) {
      this.last = { time, done };
      return;
    }
    const dt = time - this.last.time;
    const dn = done - this.last.done;
    if (dn <= 0 || dt <= 0) return;
    const sample = dn / dt;
    const weight = 1 - Math.exp(-dt / RATE_TAU_SECONDS);
    this.rate = this.rate === undefined ? sample : this.rate + weight * (sample - this.rate);
    this.last = { time, done };
  }

  /** Generations per second, or undefined until two generations have been seen. */
  get value(): number | undefined {
    return this.rate;
  }
}

export class Progress {
  private readonly mode: Exclude<ProgressMode, 'auto'>;
  private readonly started = performance.now();
  private readonly done: number[];
  private readonly finished: boolean[];
  private readonly latest: (Metrics | undefined)[];
  private readonly rate = new SmoothedRate();
  /** Work per second (generations weighted by their run's cost), for the ETA. */
  private readonly workRate = new SmoothedRate();
  private readonly total: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastRun = 0;
  /** What the current stage last said (a neural family's phase: tokens/s, loss, time left), until the next generation. */
  private detail = '';

  constructor(
    private readonly runs: readonly TrackedRun[],
    mode: ProgressMode = 'auto',
    private readonly title?: string,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {
    this.mode = mode === 'auto' ? (stderr.isTTY ? 'bar' : 'plain') : mode;
    this.done = runs.map(() => 0);
    this.finished = runs.map(() => false);
    this.latest = runs.map(() => undefined);
    this.total = runs.reduce((a, r) => a + r.generations, 0);
  }

  /** Whether generation events must arrive for every generation (executors may otherwise thin them out). */
  get wantsEveryGeneration(): boolean {
    return this.mode === 'jsonl';
  }

  /** Run `index` finished `generation`, with its metrics line when the executor has it. */
  generation(index: number, generation: number, line?: Metrics): void {
    this.done[index] = Math.max(this.done[index], generation + 1);
    if (line) this.latest[index] = line;
    this.detail = '';
    this.lastRun = index;
    const now = performance.now();
    this.rate.observe(now / 1000, this.doneTotal());
    this.workRate.observe(now / 1000, this.doneWork());
    if (this.mode === 'jsonl') this.event(index, generation, line, now);
    else if (this.mode === 'bar' && now - this.lastDraw >= BAR_INTERVAL_MS) this.draw(now, '\r', '\x1b[K');
    else if (this.mode === 'plain' && now - this.lastDraw >= PLAIN_INTERVAL_MS) this.draw(now, '', '\n');
  }

  /** Run `index`'s current stage said `message`: shown beside the line until a generation ends. */
  stage(index: number, message: string | undefined): void {
    if (message === undefined || this.mode === 'jsonl' || this.mode === 'none') return;
    this.detail = message;
    this.lastRun = index;
    const now = performance.now();
    if (this.mode === 'bar' && now - this.lastDraw >= BAR_INTERVAL_MS) this.draw(now, '\r', '\x1b[K');
    else if (this.mode === 'plain' && now - this.lastDraw >= PLAIN_INTERVAL_MS) this.draw(now, '', '\n');
  }

  /** Run `index` ended (finished or failed). */
  runEnded(index: number): void {
    this.finished[index] = true;
  }

  /** Clears the bar; a plain log gets its closing line. */
  finish(): void {
    const now = performance.now();
    if (this.mode === 'bar' && this.lastDraw > Number.NEGATIVE_INFINITY) this.stderr.write('\r\x1b[K');
    else if (this.mode === 'plain' && this.doneTotal() > 0) this.draw(now, '', '\n');
  }

  /** The current line's text (exported for tests through `line()`). */
  line(now = performance.now()): string {
    const done = this.doneTotal();
    const run = this.runs[this.lastRun];
    const parts = [this.title ?? run.label];
    if (this.runs.length > 1) {
      const ended = this.finished.filter(Boolean).length;
      parts.push(`run ${Math.min(ended + 1, this.runs.length)}/${this.runs.length}`);
    }
    parts.push(`gen ${done}/${this.total}`);
    if (this.mode === 'bar') parts.push(`[${bar(done / this.total)}]`);
    const rate = this.rate.value;
    parts.push(rate === undefined ? 'starting' : formatRate(rate));
    parts.push(`ETA ${formatDuration(this.etaSeconds() ?? Number.POSITIVE_INFINITY)}`);
    parts.push(`elapsed ${formatDuration((now - this.started) / 1000)}`);
    const metric = run.metric;
    const value = metric === undefined ? undefined : this.latest[this.lastRun]?.[metric];
    if (metric !== undefined && typeof value === 'number') parts.push(`${metric} ${formatValue(value)}`);
    if (this.detail) parts.push(`· ${this.detail}`);
    return parts.join('  ');
  }

  private draw(now: number, before: string, after: string): void {
    this.lastDraw = now;
    this.stderr.write(`${before}${this.line(now)}${after}`);
  }

  private event(index: number, generation: number, line: Metrics | undefined, now: number): void {
    const run = this.runs[index];
    const eta = this.etaSeconds();
    const event = {
      event: 'generation',
      run: index,
      label: run.label,
      ...(run.seed === undefined ? {} : { seed: run.seed }),
      generation,
      generations: run.generations,
      elapsedSeconds: round((now - this.started) / 1000),
      etaSeconds: eta === undefined ? null : round(eta),
      ...(line ? { metrics: line } : {}),
    };
    this.stdout.write(`${JSON.stringify(event)}\n`);
  }

  private doneTotal(): number {
    return this.done.reduce((a, b) => a + b, 0);
  }

  private doneWork(): number {
    return this.done.reduce((a, d, i) => a + d * (this.runs[i].cost ?? 1), 0);
  }

  /**
   * Work left in runs that have not ended: an ended run has none, even when its last generations were never
   * reported (executors thin generation events) or it failed part-way.
   */
  private remainingWork(): number {
    return this.runs.reduce(
      (a, r, i) => a + (this.finished[i] ? 0 : Math.max(0, r.generations - this.done[i]) * (r.cost ?? 1)),
      0,
    );
  }

  /** Seconds left at the smoothed pace of work; undefined until the pace is known. */
  private etaSeconds(): number | undefined {
    const rate = this.workRate.value;
    return rate ? this.remainingWork() / rate : undefined;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
}

function formatRate(rate: number): string {
  return rate >= 10
    ? `${rate.toFixed(0)} gen/s`
    : rate >= 1
      ? `${rate.toFixed(1)} gen/s`
      : `${(1 / rate).toFixed(1)} s/gen`;
}

function formatValue(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toPrecision(4);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** A run config as the reporter follows it: the live metric is its family's diversity statistic. */
export function trackedRun(config: ExperimentConfig, label = config.name): TrackedRun {
  return {
    label,
    generations: config.generations,
    seed: config.seed,
    metric: findFamily(config.family.type)?.diversity,
    cost: config.samplesPerGeneration * (findFamily(config.family.type)?.weight ?? 1),
  };
}
