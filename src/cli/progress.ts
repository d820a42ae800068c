/**
 * A one-line progress bar on stderr: generation, rate and ETA. Silent when stderr is not a terminal, so logs
 * and pipes stay clean.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private readonly started = performance.now();
  private lastDraw = 0;
  private firstGeneration: number | undefined;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY);
  }

  update(generation: number, force = false): void {
    if (!this.enabled) return;
    this.firstGeneration ??= generation;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const done = generation + 1;
    const seconds = (now - this.started) / 1000;
    const rate = (done - this.firstGeneration) / Math.max(seconds, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : Number.POSITIVE_INFINITY;
    const width = 24;
    const filled = Math.round((done / this.total) * width);
    const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
    this.stream.write(
      `\r${this.label} gen ${done}/${this.total} [${bar}] ${formatRate(rate)} ETA ${formatDuration(eta)}\x1b[K`,
    );
  }

  finish(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}

function formatRate(rate: number): string {
  return rate >= 10
    ? `${rate.toFixed(0)} gen/s`
    : rate >= 1
      ? `${rate.toFixed(1)} gen/s`
      : `${(1 / rate).toFixed(1)} s/gen`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
