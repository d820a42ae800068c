/**
 * The playground's Web Worker: runs a config with the library's own loop (collapse-lab/playground), posting one
 * frame per generation, so the page stays responsive while thousands of generations run.
 */
import { type PlaygroundConfig, runPlayground } from '../../src/playground/index';

export type ToWorker = { readonly type: 'run'; readonly config: PlaygroundConfig } | { readonly type: 'stop' };
export type FromWorker =
  | { readonly type: 'frame'; readonly frame: import('../../src/playground/index').PlaygroundFrame }
  | { readonly type: 'done'; readonly generations: number }
  | { readonly type: 'error'; readonly message: string };

let running: AbortController | undefined;

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  running?.abort();
  if (message.type === 'stop') return;
  const stop = new AbortController();
  running = stop;
  const post = (m: FromWorker) => self.postMessage(m);
  try {
    const metrics = await runPlayground(message.config, {
      signal: stop.signal,
      onFrame: (frame) => post({ type: 'frame', frame }),
    });
    if (!stop.signal.aborted) post({ type: 'done', generations: metrics.length });
  } catch (error) {
    if (!stop.signal.aborted) post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
