// bench/playground: the playground's gmm experiment (2,000 generations, M = 1,000, every metric) in headless
// Chromium against the same run in Node, in the same run of this script. Goal: under 10 s in Chromium. Prints
// seconds on each side (median of --repeats), whether the metrics agree bit for bit, and the ratio
// (Chromium / Node time). The page runs the library from dist/ as a module, as the web UI's worker does.
// Usage: npm run bench -- playground [--experiment gmm] [--generations N] [--repeats N]
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { defaultPlaygroundConfig, runPlayground } from '../dist/playground/index.js';

const { values } = parseArgs({
  options: {
    experiment: { type: 'string', default: 'gmm' },
    generations: { type: 'string' },
    repeats: { type: 'string', default: '3' },
  },
});
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repeats = Number(values.repeats);
const config = { ...defaultPlaygroundConfig(values.experiment) };
if (values.generations) config.generations = Number(values.generations);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Node: the same call the page makes.
const nodeSeconds = [];
let nodeMetrics;
for (let r = 0; r < repeats; r++) {
  const t = performance.now();
  nodeMetrics = await runPlayground(config);
  nodeSeconds.push((performance.now() - t) / 1000);
}

if (!fs.existsSync(CHROMIUM)) {
  console.log(`node      ${median(nodeSeconds).toFixed(2)} s; no Chromium at ${CHROMIUM}, so no ratio`);
  process.exit(0);
}
const MOUNTS = { '/dist/': 'dist', '/zod/': 'node_modules/zod', '/fflate/': 'node_modules/fflate' };
const PAGE = `<!doctype html><title>bench</title>
<script type="importmap">{"imports":{"zod":"/zod/index.js","fflate":"/fflate/esm/browser.js"}}</script>
<script type="module">import * as m from '/dist/playground/index.js'; window.playground = m;</script>`;
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  const prefix = Object.keys(MOUNTS).find((p) => url.startsWith(p));
  const file = prefix && path.join(root, MOUNTS[prefix], url.slice(prefix.length));
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => 'playground' in globalThis);
  const pageSeconds = [];
  let same = true;
  for (let r = 0; r < repeats; r++) {
    const { seconds, metrics } = await page.evaluate(async (c) => {
      const t = performance.now();
      const metrics = await globalThis.playground.runPlayground(c);
      return { seconds: (performance.now() - t) / 1000, metrics };
    }, config);
    pageSeconds.push(seconds);
    same &&= JSON.stringify(metrics) === JSON.stringify(nodeMetrics);
  }
  const [n, c] = [median(nodeSeconds), median(pageSeconds)];
  console.log(
    `playground '${values.experiment}', ${config.generations} generations, M = ${config.samplesPerGeneration}`,
  );
  console.log(`node      ${n.toFixed(2)} s (median of ${repeats})`);
  console.log(`chromium  ${c.toFixed(2)} s (median of ${repeats}; goal < 10 s for gmm)`);
  console.log(`metrics   ${same ? 'identical, bit for bit' : 'DIFFER between Node and Chromium'}`);
  console.log(`ratio ${(c / n).toFixed(2)} (Chromium time / Node time)`);
} finally {
  await browser.close();
  server.close();
}
