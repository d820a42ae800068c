/**
 * The server over real HTTP: what it serves, and what it refuses. Requests are sent raw (node:http), so `..` and
 * `%2e%2e` reach the server as written instead of being tidied away by a client's URL parser.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMnist } from '../data/mnist.js';
import { type MnistSet, mnistSetFromBytes } from '../data/mnist-set.js';
import { fixtureRun, tempDir } from '../reports/test-helpers/fixtures.js';
import { type RunningServer, startServer } from './index.js';
import { bindAddress, isLoopback } from './security.js';

const SECRET = 'not-for-the-web-1f3a';
let server: RunningServer;
let root: string;
let runId: string;

function get(
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A response's bytes (the MNIST slice is binary). */
function getBytes(rawPath: string): Promise<{ headers: http.IncomingHttpHeaders; body: Uint8Array }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: url.hostname, port: url.port, path: rawPath }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: new Uint8Array(Buffer.concat(chunks)) }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  const base = tempDir();
  root = path.join(base, 'runs');
  const web = path.join(base, 'web');
  fs.mkdirSync(web);
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>ui</title>');
  fs.mkdirSync(path.join(web, 'assets'));
  fs.writeFileSync(path.join(web, 'assets', 'app.js'), 'export {};');
  runId = path.basename(await fixtureRun('gaussian', root, { generations: 3 }));
  fs.writeFileSync(path.join(root, runId, 'report.html'), '<p>the report</p>');
  // Outside the runs folder: a secret file, and a whole run folder that a symlink inside points at.
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.html'), SECRET);
  fs.writeFileSync(path.join(base, 'secret.html'), SECRET);
  fs.cpSync(path.join(root, runId), path.join(outside, 'run'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'run', 'report.html'), SECRET);
  fs.symlinkSync(path.join(outside, 'run'), path.join(root, 'linked-run'));
  fs.symlinkSync(path.join(outside, 'secret.html'), path.join(root, 'linked.html'));
  fs.symlinkSync(outside, path.join(root, runId, 'figures-elsewhere'));
  server = await startServer({ runsDir: root, webDir: web, engineDir: path.resolve('dist/engine'), port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe('the server', () => {
  it('serves the run list, a run with its figures, and its report, each with a Content-Security-Policy', async () => {
    const list = await get('/api/runs');
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).runs.map((r: { id: string }) => r.id)).toContain(runId);
    const run = await get(`/api/run?id=${encodeURIComponent(runId)}`);
    expect(run.status).toBe(200);
    const view = JSON.parse(run.body);
    expect(view.generationsDone).toBe(3);
    expect(view.figures.map((f: { id: string }) => f.id)).toContain('metrics');
    expect(view.report).toBe(`/files/${runId}/report.html`);
    const report = await get(view.report);
    expect(report.body).toBe('<p>the report</p>');
    expect(report.headers['content-security-policy']).toMatch(/sandbox/);
    const [index, script] = [await get('/'), await get('/assets/app.js')];
    expect(index.body).toMatch(/<title>ui/);
    expect([script.status, script.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    for (const r of [list, run, index, script, await get('/no-such-page')]) {
      expect(r.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(r.headers['content-security-policy']).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
    }
  });

  it.each([
    ['/files/../secret.html'],
    ['/files/%2e%2e/secret.html'],
    ['/files/%2E%2E/%2e%2e/secret.html'],
    ['/files/..%2fsecret.html'],
    ['/files/..%5csecret.html'],
    ['/files//etc/passwd'],
    ['/files/%2fetc%2fpasswd'],
    ['/files/linked.html'],
    ['/files/linked-run/report.html'],
    ['/files/RUN/figures-elsewhere/secret.html'],
    ['/files/RUN/config.json'],
    ['/files/RUN/checkpoints/latest.json'],
    ['/../secret.html'],
    ['/%2e%2e/secret.html'],
    ['/api/run?id=..%2Foutside%2Frun'],
    ['/api/run?id=%2e%2e/outside/run'],
    ['/api/run?id=linked-run'],
    ['/api/run?id=%2Fetc'],
    ['/api/run?id=RUN%2F..%2F..%2Foutside%2Frun'],
    ['/api/run/events?id=..%2Foutside%2Frun'],
    ['/api/compare?id=RUN&id=linked-run'],
    ['/api/sweep?id=..'],
    ['/engine/..%2f..%2fpackage.json'],
    ['/engine/kernels.wat'],
  ])('refuses %s (nothing outside the runs folder, nothing but reports from run folders)', async (raw) => {
    const r = await get(raw.replace('RUN', runId));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body).not.toContain(SECRET);
    expect(r.headers['content-security-policy']).toBeDefined();
  });

  it('answers only requests for a loopback host (a DNS-rebinding page names its own domain)', async () => {
    for (const host of ['evil.example', 'evil.example:80', '192.168.1.4:8765']) {
      const r = await get('/api/runs', { host });
      expect(r.status, host).toBe(403);
      expect(r.body).toMatch(/localhost only/);
      expect(r.body).not.toContain(runId);
    }
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:80'])
      expect((await get('/api/runs', { host })).status).toBe(200);
  });

  it("serves the engine's kernels and, where MNIST is present, a slice of it as the files hold it", async () => {
    const wasm = await get('/engine/kernels.wasm');
    expect([wasm.status, wasm.headers['content-type']]).toEqual([200, 'application/wasm']);
    expect(JSON.parse((await get('/api/mnist?split=valid&count=3')).body).error).toMatch(
      /split: expected 'train' or 'test'/,
    );
    expect(JSON.parse((await get('/api/mnist?split=test&count=0')).body).error).toMatch(/count: expected an integer/);
    let test: MnistSet;
    try {
      test = readMnist('test');
    } catch {
      return; // no MNIST here ($COLLAPSE_LAB_DATA): the route's reading is mnist.ts's, tested there
    }
    const r = await getBytes('/api/mnist?split=test&count=3');
    expect(r.headers['x-mnist-count']).toBe('3');
    expect(r.headers['x-mnist-sha256']).toBe(test.sha256);
    const set = mnistSetFromBytes(r.body.subarray(0, 3 * 784), r.body.subarray(3 * 784));
    expect(set.pixels).toEqual(test.pixels.subarray(0, 3 * 784));
    expect([...set.labels]).toEqual([...test.labels.subarray(0, 3)]);
  });

  it('says what is wrong with a request in words', async () => {
    expect(JSON.parse((await get('/api/run')).body).error).toMatch(/name a run/);
    expect(JSON.parse((await get('/api/run?id=nope')).body).error).toMatch(/not a collapse-lab run folder/);
  });

  it('streams a finished run as events: every metrics line, then the end', async () => {
    const r = await get(`/api/run/events?id=${encodeURIComponent(runId)}`);
    expect(r.headers['content-type']).toMatch(/text\/event-stream/);
    expect(r.body.match(/^event: metrics$/gm)).toHaveLength(3);
    expect(r.body).toMatch(/event: finished[\s\S]*event: end/);
  });
});

describe('the bind address', () => {
  it('is loopback unless --host names another, and then comes with a warning', () => {
    expect(bindAddress(undefined, false)).toEqual({ host: '127.0.0.1' });
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.4', 'example.org']) {
      expect(isLoopback(h), h).toBe(false);
      expect(() => bindAddress(h, false)).toThrow(/not a loopback address; pass --host/);
      expect(bindAddress(h, true).warning).toMatch(/no authentication/);
    }
  });
});
