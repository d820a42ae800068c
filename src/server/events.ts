/**
 * A run's live events as server-sent events: the run store's watchRun (every metrics line, heartbeat changes,
 * the end) forwarded as `metrics`, `progress` and `finished` events, until the run ends or the page goes away.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { watchRun } from '../core/run-store.js';

/** Polling interval of the watch: a new generation reaches the page within about this plus a redraw. */
const POLL_MS = 150;

export function runEvents(c: Context, dir: string): Response {
  return streamSSE(c, async (stream) => {
    const stop = new AbortController();
    stream.onAbort(() => stop.abort());
    for await (const event of watchRun(dir, { signal: stop.signal, intervalMs: POLL_MS })) {
      const data = event.type === 'metrics' ? event.line : event.type === 'progress' ? event.progress : event.summary;
      await stream.writeSSE({ event: event.type, data: JSON.stringify(data) });
      if (stream.aborted) break;
    }
    if (!stop.signal.aborted) await stream.writeSSE({ event: 'end', data: '{}' });
  });
}
