/**
 * The playground's Web Worker: runs a config with the library's own loop (collapse-lab/playground), posting one
 * frame per generation, so the page stays responsive while thousands of generations run. The VAE also needs
 * its MNIST slice and the engine's WebAssembly kernels, both fetched from the server that served the page.
 */
import { MNIST_PIXELS } from '../../src/data/mnist-set';
import { Engine, loadWasmBackendFromUrl } from '../../src/engine/browser';
import {
  type MnistSet,
  mnistSetFromBytes,
  type PlaygroundConfig,
  type PlaygroundFrame,
  runPlayground,
} from '../../src/playground/index';

export type ToWorker = { readonly type: 'run'; readonly config: PlaygroundConfig } | { readonly type: 'stop' };
export type FromWorker =
  | { readonly type: 'frame'; readonly frame: PlaygroundFrame }
  | { readonly type: 'status'; readonly message: string }
  | { readonly type: 'done'; readonly generations: number }
  | { readonly type: 'error'; readonly message: string };

let running: AbortController | undefined;
/** One engine for the worker's life: compiling the kernels and reserving their memory happens once. */
let engine: Promise<Engine> | undefined;

const post = (m: FromWorker) => self.postMessage(m);

async function fetchMnist(split: 'train' | 'test', count: number): Promise<MnistSet> {
  const response = await fetch(`/api/mnist?split=${split}&count=${count}`);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(`MNIST ${split}: ${body.error ?? `HTTP ${response.status}`}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const n = Number(response.headers.get('X-Mnist-Count'));
  const sha256 = response.headers.get('X-Mnist-Sha256') ?? '';
  return mnistSetFromBytes(bytes.subarray(0, n * MNIST_PIXELS), bytes.subarray(n * MNIST_PIXELS), sha256);
}

/** What a config needs beside itself: MNIST and the engine for the VAE, nothing for the statistical families. */
async function resources(config: PlaygroundConfig) {
  if (config.real.type !== 'mnist') return {};
  post({ type: 'status', message: 'fetching MNIST and the engine…' });
  const trainImages = (config.real as { trainImages?: number }).trainImages ?? 60_000;
  engine ??= loadWasmBackendFromUrl(new URL('/engine/', self.location.origin)).then((b) => new Engine(b));
  const [train, test, ready] = await Promise.all([
    fetchMnist('train', trainImages),
    fetchMnist('test', config.heldOutSize),
    engine,
  ]);
  return { mnist: { train, test }, engine: ready };
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  running?.abort();
  if (message.type === 'stop') return;
  const stop = new AbortController();
  running = stop;
  try {
    const extra = await resources(message.config);
    if (message.config.real.type === 'mnist') post({ type: 'status', message: 'training generation 0…' });
    const metrics = await runPlayground(message.config, {
      ...extra,
      signal: stop.signal,
      onFrame: (frame) => post({ type: 'frame', frame }),
    });
    if (!stop.signal.aborted) post({ type: 'done', generations: metrics.length });
  } catch (error) {
    if (!stop.signal.aborted) post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
