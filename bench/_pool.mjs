// Threads vs processes for the local pool (docs/sweeps-local-pool.md): start-up to a runner ready for a trial, and
// memory with two runners after a trial each. Usage: node bench/_pool.mjs (after npm run build).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const self = new URL(import.meta.url).pathname;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-'));
const role = process.argv[2];
if (role === 'runner' || process.env.RUNNER_THREAD) {
  const { parentPort } = await import('node:worker_threads');
  const send = parentPort ? (m) => parentPort.postMessage(m) : (m) => process.send(m);
  const on = parentPort ? (f) => parentPort.on('message', f) : (f) => process.on('message', f);
  const { runToCompletion } = await import('../dist/experiments/run.js');
  const { loadPlugins } = await import('../dist/experiments/plugins.js');
  const { planSweep } = await import('../dist/sweeps/index.js');
  await loadPlugins();
  send('ready');
  on(async (i) => {
    const { trials } = planSweep({
      name: 'b',
      preset: 'gmm',
      config: { generations: 300, snapshotGenerations: [] },
      seeds: 4,
    });
    await runToCompletion(trials[i].config, path.join(dir, `${process.pid}-${i}-${Math.random()}`), { report: false });
    send({ rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
  });
} else {
  const once = (emitter) => new Promise((r) => emitter.once('message', r));
  const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  const startT = [],
    startP = [];
  for (let k = 0; k < 5; k++) {
    let t0 = performance.now();
    const w = new Worker(self, { env: { ...process.env, RUNNER_THREAD: '1' } });
    await once(w);
    startT.push(performance.now() - t0);
    await w.terminate();
    t0 = performance.now();
    const c = fork(self, ['runner']);
    await once(c);
    startP.push(performance.now() - t0);
    c.kill();
    await new Promise((r) => c.on('exit', r));
  }
  console.log(
    `start-up to a ready runner: thread ${med(startT).toFixed(0)} ms (${startT.map((x) => x.toFixed(0)).join(' ')}), process ${med(startP).toFixed(0)} ms (${startP.map((x) => x.toFixed(0)).join(' ')})`,
  );
  const base = process.memoryUsage().rss;
  const ws = [0, 1].map(() => new Worker(self, { env: { ...process.env, RUNNER_THREAD: '1' } }));
  await Promise.all(ws.map(once));
  for (const [i, w] of ws.entries()) w.postMessage(i);
  await Promise.all(ws.map(once));
  const threadsRss = process.memoryUsage().rss - base;
  await Promise.all(ws.map((w) => w.terminate()));
  const cs = [0, 1].map(() => fork(self, ['runner']));
  await Promise.all(cs.map(once));
  for (const [i, c] of cs.entries()) c.send(i);
  const ms = await Promise.all(cs.map(once));
  const procRss = ms.reduce((a, m) => a + m.rss, 0);
  for (const c of cs) c.kill();
  console.log(
    `memory with two runners after a 300-generation gmm trial each: threads add ${(threadsRss / 2 ** 20).toFixed(0)} MiB to the pool's process; two processes ${(procRss / 2 ** 20).toFixed(0)} MiB RSS (${ms.map((m) => (m.rss / 2 ** 20).toFixed(0)).join(' + ')})`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}
