/**
 * The web UI's HTTP surface (Hono): JSON views of runs, comparisons and sweeps, a run's live events, reports
 * from run folders, the built client, and for the playground's VAE an MNIST slice and the engine's kernels. It only reads: no route writes,
 * and every name a request carries is resolved under the runs folder by paths.ts.
 */
import path from 'node:path';
import { Hono } from 'hono';
import { DamagedFileError, RunFolderError, UsageError } from '../core/errors.js';
import { assertRunFolder } from '../core/run-store.js';
import { runEvents } from './events.js';
import { mnistSlice } from './mnist-slice.js';
import { decodePath, OutsideError, underRoot } from './paths.js';
import { APP_CSP, hostName, isLoopback, REPORT_CSP } from './security.js';
import { contentType, REPORT_KINDS, readServable } from './static-files.js';
import { compareView, isSweep, listView, runView, sweepPageView } from './views.js';

export interface AppOptions {
  /** The runs folder: everything the server reads from runs lies under it. */
  readonly runsDir: string;
  /** The built client (dist/web). */
  readonly webDir: string;
  /** The engine's WebAssembly kernels (dist/engine), which the playground's VAE trains on. */
  readonly engineDir?: string;
  /** Where MNIST is looked for first (then $COLLAPSE_LAB_DATA and the download cache). */
  readonly dataDir?: string;
  /**
   * Only requests naming a loopback host (Host: localhost, 127.x.x.x, [::1]) are answered, so a web page that
   * rebinds its own domain to 127.0.0.1 (DNS rebinding) cannot read the runs. Off when the user bound another
   * address with --host: then the runs are served to the network by choice.
   */
  readonly loopbackOnly?: boolean;
}

/** The only files served from dist/engine: the WebAssembly kernels (engine/browser.ts fetches them by name). */
const ENGINE_FILES = new Set(['kernels.wasm', 'kernels-relaxed.wasm']);

/** A request the server answers with a status and a message instead of a page. */
class HttpError extends Error {
  constructor(
    readonly status: 400 | 404 | 422,
    message: string,
  ) {
    super(message);
  }
}

export function createApp(options: AppOptions): Hono {
  const root = path.resolve(options.runsDir);
  const webDir = path.resolve(options.webDir);
  const app = new Hono();

  app.use('*', async (c, next) => {
    const host = hostName(c.req.header('host') ?? '');
    if ((options.loopbackOnly ?? true) && !isLoopback(host))
      c.res = c.json({ error: `this server answers requests for localhost only, not for '${host}'` }, 403);
    else await next();
    const report = c.req.path.startsWith('/files/');
    c.res.headers.set('Content-Security-Policy', report ? REPORT_CSP : APP_CSP);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  });

  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.message }, error.status);
    if (error instanceof OutsideError) return c.json({ error: error.message }, 404);
    if (error instanceof RunFolderError) return c.json({ error: error.message }, 404);
    if (error instanceof DamagedFileError || error instanceof UsageError) return c.json({ error: error.message }, 422);
    console.error(`collapse-lab serve: ${c.req.method} ${c.req.path}: ${(error as Error).stack ?? error}`);
    return c.json({ error: 'internal error; see the server log' }, 500);
  });

  /** The run folder a query parameter names under the runs folder. */
  const runDir = (id: string | undefined) => {
    if (!id) throw new HttpError(400, 'name a run: ?id=<folder under the runs folder>');
    const dir = underRoot(root, id);
    assertRunFolder(dir);
    return dir;
  };

  app.get('/api/runs', (c) => c.json({ root, ...listView(root) }));
  app.get('/api/run', (c) => c.json(runView(root, runDir(c.req.query('id')))));
  app.get('/api/run/events', (c) => runEvents(c, runDir(c.req.query('id'))));
  app.get('/api/compare', (c) => {
    const ids = c.req.queries('id') ?? [];
    if (ids.length === 0) throw new HttpError(400, 'name the runs to compare: ?id=<run>&id=<run>');
    return c.json(compareView(root, ids.map(runDir)));
  });
  app.get('/api/sweep', (c) => {
    const id = c.req.query('id');
    if (!id) throw new HttpError(400, 'name a sweep: ?id=<folder under the runs folder>');
    const dir = underRoot(root, id);
    if (!isSweep(dir)) throw new HttpError(404, `'${id}' is not a sweep folder (no sweep.json)`);
    return c.json(sweepPageView(root, dir));
  });
  app.get('/api/mnist', (c) => {
    const split = c.req.query('split');
    if (split !== 'train' && split !== 'test')
      throw new HttpError(400, `split: expected 'train' or 'test', got '${split ?? ''}'`);
    const text = c.req.query('count') ?? '';
    const count = Number(text);
    if (!/^\d+$/.test(text) || count < 1 || count > 60_000)
      throw new HttpError(400, `count: expected an integer in [1, 60000], got '${text}'`);
    const slice = mnistSlice(split, count, options.dataDir);
    return c.body(new Uint8Array(slice.body), 200, {
      'Content-Type': 'application/octet-stream',
      'X-Mnist-Count': String(slice.count),
      'X-Mnist-Sha256': slice.sha256,
    });
  });

  app.get('/engine/:file', (c) => {
    const file = c.req.param('file');
    const bytes =
      options.engineDir && ENGINE_FILES.has(file) ? readServable(path.join(options.engineDir, file)) : undefined;
    if (!bytes) throw new HttpError(404, `no engine file '${file}'`);
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': 'application/wasm' });
  });

  app.get('/files/*', (c) => {
    const name = decodePath(c.req.path.slice('/files/'.length));
    const bytes = readServable(underRoot(root, name), REPORT_KINDS);
    if (!bytes) throw new HttpError(404, `no report file '${name}' under the runs folder`);
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': contentType(name) as string });
  });

  app.get('*', (c) => {
    const name = decodePath(c.req.path.slice(1)) || 'index.html';
    const file = underRoot(webDir, name);
    const bytes = readServable(file);
    if (!bytes) throw new HttpError(404, `no such page: ${c.req.path}`);
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': contentType(file) as string });
  });

  return app;
}
