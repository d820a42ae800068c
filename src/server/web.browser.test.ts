/**
 * The web UI in a real browser (Debian's Chromium through playwright-core), against `collapse-lab serve` as a
 * user starts it, over runs made with the CLI: the run list, a run drawn live as it goes, a comparison, text
 * from a run shown as text (never as markup), and no console errors anywhere. Screenshots go to artifacts/
 * (git-ignored). Without Chromium the tests are skipped and say why.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMnist } from '../data/mnist.js';
import { vaeEngine } from '../families/vae/node-host.js';
import { defaultPlaygroundConfig, playgroundConfigToSearch, runPlayground } from '../playground/index.js';
import { tempDir } from '../reports/test-helpers/fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const found = fs.existsSync(CHROMIUM);
if (!found)
  console.warn(
    `web UI browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
const skipped = found ? '' : ` (skipped: no Chromium at ${CHROMIUM})`;
const CLI = path.resolve('dist/cli/main.js');
const ARTIFACTS = path.resolve('artifacts');

/** A family that takes its time (each fit waits 700 ms), standing in for a long training run. */
const PACED_PLUGIN = `
import { defineFamily, registerFamily, vectors, z } from '${pathToFileURL(path.resolve('dist/index.js')).href}';
registerFamily(defineFamily({
  name: 'paced',
  description: 'a point mass refitted to the sample mean, 700 ms a fit',
  sampleKind: 'vectors',
  options: z.object({ type: z.literal('paced') }).strict(),
  weight: 1,
  create: () => ({
    name: 'paced',
    sampleKind: 'vectors',
    fit: async (train) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return { mean: train.samples.values.reduce((a, b) => a + b, 0) / train.samples.values.length };
    },
    sample: async (m, count, ctx) => vectors(Float64Array.from({ length: count }, () => m.mean + ctx.rng.normal()), 1),
    evaluate: async (m) => ({ mean: m.mean }),
    saveModel: async (m) => ({ json: m }),
    loadModel: async (state) => state.json,
  }),
}));
`;

const SCRIPT = '<script>window.pwned=1</script>';

/** Whether MNIST's files are here (the playground's VAE trains on a slice of them). */
const hasMnist = (() => {
  try {
    readMnist('test');
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
let runs: string;
let server: ChildProcess | undefined;
let base: string;
let browser: Browser;
let page: Page;
const errors: string[] = [];

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
  if (r.status !== 0) throw new Error(`collapse-lab ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

/** Runs made with the CLI, as a user would: their folders by name. */
function makeRuns(): Record<string, string> {
  const made = (stdout: string) => path.basename(JSON.parse(stdout).runDir);
  const common = ['--generations', '5', '--out', runs, '--json', '--progress', 'none'];
  const replace = made(cli(['run', 'gaussian', ...common, '--no-report', '--seed', '1']));
  const accumulate = made(cli(['run', 'gaussian', ...common, '--no-report', '--policy', 'accumulate']));
  // Generated text full of markup: a bigram model trained on it writes it back.
  const words = `the cat sat on a mat ${SCRIPT} and <b>bold</b> dog ran far`.split(' ');
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647);
  const lines = Array.from({ length: 200 }, () =>
    Array.from({ length: 24 }, () => words[next() % words.length]).join(' '),
  );
  fs.writeFileSync(path.join(dir, 'corpus.txt'), lines.join('\n'));
  fs.writeFileSync(
    path.join(dir, 'lm.json'),
    JSON.stringify({
      name: 'lm-text',
      label: '<script>window.pwnedLabel=1</script>',
      generations: 2,
      samplesPerGeneration: 60,
      family: { type: 'ngram', order: 2 },
      real: { type: 'text', path: 'corpus.txt', blockSize: 8 },
      snapshotGenerations: [0, 1],
    }),
  );
  const lm = made(cli(['run', '--config', 'lm.json', '--out', runs, '--json', '--progress', 'none']));
  fs.writeFileSync(
    path.join(dir, 'sweep.json'),
    JSON.stringify({
      name: 'tiny',
      preset: 'gaussian',
      config: { generations: 4, policy: { type: 'mix' } },
      grid: { samplesPerGeneration: [20, 50], 'policy.realFraction': [0, 0.5] },
      seeds: 2,
    }),
  );
  cli(['sweep', 'sweep.json', '--out', runs, '--no-report']);
  return { replace, accumulate, lm, sweep: 'tiny' };
}

let fixtures: Record<string, string>;

async function startServe(): Promise<string> {
  server = spawn(process.execPath, [CLI, 'serve', '--runs', runs, '--port', '0'], { cwd: dir });
  let out = '';
  return new Promise((resolve, reject) => {
    server?.stdout?.on('data', (chunk) => {
      out += chunk;
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    server?.stderr?.on('data', (chunk) => (out += chunk));
    server?.on('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
  });
}

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `web-${name}.png`), fullPage: true });

describe.skipIf(!found)(`the web UI in Chromium${skipped}`, () => {
  beforeAll(async () => {
    if (!fs.existsSync(path.resolve('dist/web/index.html')))
      throw new Error("dist/web is not built: run 'npm run build' first");
    dir = tempDir();
    runs = path.join(dir, 'runs');
    fixtures = makeRuns();
    base = await startServe();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  it('lists the runs made with the CLI, with their state', async () => {
    await page.goto(base);
    const row = page.locator(`tr[data-run="${fixtures.replace}"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/gaussian[\s\S]*replace[\s\S]*5 \/ 5[\s\S]*finished/);
    await page.fill('input[type=search]', 'accumulate');
    await page.locator(`tr[data-run="${fixtures.replace}"]`).waitFor({ state: 'detached' });
    expect(await page.locator('tbody tr').count()).toBe(1);
    await shot('runs');
  });

  /** Starts a run of the paced family with the CLI; resolves once its folder exists. */
  async function startPaced(generations: number) {
    const plugin = path.join(dir, 'paced.mjs');
    fs.writeFileSync(plugin, PACED_PLUGIN);
    const config = path.join(dir, `paced-${generations}.json`);
    fs.writeFileSync(
      config,
      JSON.stringify({
        name: 'paced',
        generations,
        samplesPerGeneration: 50,
        family: { type: 'paced' },
        real: { type: 'gaussian', mean: [2] },
      }),
    );
    const before = new Set(fs.readdirSync(runs));
    const child = spawn(
      process.execPath,
      [CLI, '--plugin', plugin, 'run', '--config', config, '--out', runs, '--progress', 'none'],
      { cwd: dir, stdio: 'ignore' },
    );
    let folder: string | undefined;
    while (!folder) {
      folder = fs.readdirSync(runs).find((f) => !before.has(f) && fs.existsSync(path.join(runs, f, 'config.json')));
      await new Promise((r) => setTimeout(r, 20));
    }
    const metricsFile = path.join(runs, folder, 'metrics.jsonl');
    const linesNow = () =>
      fs.existsSync(metricsFile) ? fs.readFileSync(metricsFile, 'utf8').split('\n').filter(Boolean).length : 0;
    return { child, folder, linesNow };
  }

  it('draws a run as it goes: each generation reaches its chart within 2 s', async () => {
    const generations = 5;
    const { child, folder, linesNow } = await startPaced(generations);
    try {
      await page.goto(`${base}#/run?id=${encodeURIComponent(folder)}`);
      await page.locator('#run-state').waitFor();
      /** Points in the longest line of the metrics figure (vega draws a line as one path, M then an L per point). */
      const pointsDrawn = () =>
        page.$$eval('figure[data-figure="metrics"] g.mark-line path', (paths) =>
          Math.max(0, ...paths.map((p) => (p.getAttribute('d') ?? '').split('L').length)),
        );
      const delays: number[] = [];
      for (let g = 1; g < generations; g++) {
        while (linesNow() < g + 1) await new Promise((r) => setTimeout(r, 10));
        const landed = Date.now();
        while ((await pointsDrawn()) < g + 1 && Date.now() - landed < 2000) await new Promise((r) => setTimeout(r, 20));
        expect(await pointsDrawn(), `generation ${g} on the chart`).toBeGreaterThanOrEqual(g + 1);
        delays.push(Date.now() - landed);
        if (g === 2) {
          // The heartbeat of the generation under way, beside the curves.
          expect(await page.locator('#progress').textContent()).toMatch(
            /generation \d+ of 5: (policy|fit|sample|evaluate)/,
          );
          await shot('run-live');
        }
      }
      expect(await pointsDrawn()).toBe(generations);
      expect(Math.max(...delays)).toBeLessThan(2000);
      await page.locator('#run-state.finished').waitFor({ timeout: 5000 });
      console.log(`web UI: generation → chart delays (ms): ${delays.join(', ')}`);
    } finally {
      child.kill();
    }
  });

  it('tells a live run from a killed one in the list, from the lock and the heartbeat', async () => {
    const { child, folder, linesNow } = await startPaced(50);
    try {
      while (linesNow() < 2) await new Promise((r) => setTimeout(r, 20));
      await page.goto(base);
      await page.locator(`tr[data-run="${folder}"] .state.running`).waitFor();
      expect(await page.locator(`tr[data-run="${folder}"] .state`).textContent()).toBe('live');
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.on('exit', resolve));
    await page.reload();
    await page.locator(`tr[data-run="${folder}"] .state.dead`).waitFor();
  });

  it('compares two runs ticked in the list: both drawn, with their final numbers', async () => {
    await page.goto(base);
    for (const run of [fixtures.replace, fixtures.accumulate])
      await page.locator(`tr[data-run="${run}"] input[type=checkbox]`).check();
    await page.locator('#compare-selected').click();
    await page.locator('figure[data-figure="compare-metrics"] svg').first().waitFor();
    const text = await page.locator('main').textContent();
    expect(text).toMatch(/replace/);
    expect(text).toMatch(/accumulate/);
    const legend = await page.$$eval('figure svg .role-legend-label text', (t) => t.map((x) => x.textContent));
    expect(legend.some((l) => /replace/.test(l ?? ''))).toBe(true);
    expect(legend.some((l) => /accumulate/.test(l ?? ''))).toBe(true);
    await shot('compare');
  });

  it('shows text from a run (generated text, labels) as text, never as markup', async () => {
    await page.goto(`${base}#/run?id=${encodeURIComponent(fixtures.lm)}`);
    await page.locator('section.family-section table').first().waitFor();
    const body = await page.locator('main').textContent();
    expect(body).toContain(SCRIPT); // shown as the characters it is
    expect(body).toContain('<script>window.pwnedLabel=1</script>');
    expect(
      await page.evaluate(() => {
        const g = globalThis as { pwned?: number; pwnedLabel?: number };
        return [g.pwned, g.pwnedLabel];
      }),
    ).toEqual([undefined, undefined]);
    // The only script elements are the app's own bundle; no <b> from the text became an element.
    expect(await page.$$eval('main script', (s) => s.length)).toBe(0);
    expect(await page.$$eval('section.family-section b', (b) => b.length)).toBe(0);
    await page.frameLocator('iframe.report').locator('h1').waitFor();
    await shot('run-text');
  });

  it('shows a sweep: the cells with their intervals, the heatmap, and every trial with its state', async () => {
    await page.goto(base);
    await page.locator(`#collections a[href="#/sweep?id=${fixtures.sweep}"]`).click();
    await page.locator('figure[data-figure="sweep-heatmap"] svg').waitFor();
    await page.locator('figure[data-figure="sweep-curves"] svg').waitFor();
    expect(await page.locator('#cells tbody tr').count()).toBe(4);
    expect(await page.locator('#trials tbody tr').count()).toBe(8);
    expect(await page.locator('#trials .state.finished').count()).toBe(8);
    await shot('sweep');
  });

  it("runs the playground's gmm to generation 200 in a worker; its URL, Node and the CLI give the same numbers bit for bit", async () => {
    const config = { ...defaultPlaygroundConfig('gmm'), generations: 200, samplesPerGeneration: 100 };
    /** Waits for the run to end and takes its metrics.jsonl as a user would: the download link. */
    const finished = async () => {
      const link = page.locator('#pg-download');
      await link.waitFor({ timeout: 30_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      return fs.readFileSync(await download.path(), 'utf8');
    };
    await page.goto(`${base}#/playground${playgroundConfigToSearch(config)}`);
    const first = await finished();
    expect(await page.locator('#pg-generation').textContent()).toBe('199');
    const lines = first
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(200);
    expect(lines[199].totalVariance).toBeLessThan(lines[0].totalVariance / 10);
    await page.locator('figure[data-figure="playground-curve"] svg').waitFor();
    await shot('playground');
    await page.reload();
    expect(await finished()).toBe(first);
    // The library in Node, and `collapse-lab run` of the page's config.json: the same numbers, bit for bit.
    const node = await runPlayground(config);
    expect(first).toBe(`${node.map((m) => JSON.stringify(m)).join('\n')}\n`);
    const [saved] = await Promise.all([page.waitForEvent('download'), page.locator('#pg-config').click()]);
    fs.copyFileSync(await saved.path(), path.join(dir, 'playground.json'));
    const run = JSON.parse(
      cli(['run', 'playground.json', '--out', 'cli-runs', '--no-report', '--json', '--progress', 'none']),
    );
    expect(fs.readFileSync(path.resolve(dir, run.runDir, 'metrics.jsonl'), 'utf8')).toBe(first);
    // A link with a bad setting says which field and why, and runs nothing.
    await page.goto(`${base}#/playground${playgroundConfigToSearch({ ...config, samplesPerGeneration: -3 })}`);
    expect(await page.locator('#pg-error').textContent()).toMatch(/samplesPerGeneration: Too small/);
    expect(await page.locator('#pg-generation').count()).toBe(0);
  });

  it.skipIf(!hasMnist)(
    `trains the playground's VAE in the worker on the served MNIST slice and WebAssembly engine, with Node's numbers bit for bit${hasMnist ? '' : ' (skipped: no MNIST; set COLLAPSE_LAB_DATA)'}`,
    async () => {
      const preset = defaultPlaygroundConfig('vae');
      const config = {
        ...preset,
        generations: 2,
        samplesPerGeneration: 400,
        heldOutSize: 100,
        real: { type: 'mnist' as const, trainImages: 400 },
        family: { ...preset.family, epochs: 1, latentProbe: 200, diversitySamples: 50 },
      };
      await page.goto(`${base}#/playground${playgroundConfigToSearch(config)}`);
      const link = page.locator('#pg-download');
      await link.waitFor({ timeout: 60_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const inPage = fs.readFileSync(await download.path(), 'utf8');
      // The decoder's sample grid is on the canvas (drawn once its PNG decodes): 10×10 images, none white.
      // Read through a fresh copy each time: reading the page's own canvas again and again draws a warning.
      const darkPixels = () =>
        page.$eval('.playground canvas', (c) => {
          interface Canvas {
            width: number;
            height: number;
            ownerDocument: { createElement(tag: 'canvas'): Canvas };
            getContext(
              kind: '2d',
              options?: { willReadFrequently: boolean },
            ): {
              drawImage(source: Canvas, x: number, y: number): void;
              getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
            };
          }
          const source = c as unknown as Canvas;
          const copy = source.ownerDocument.createElement('canvas');
          copy.width = source.width;
          copy.height = source.height;
          const context = copy.getContext('2d', { willReadFrequently: true });
          context.drawImage(source, 0, 0);
          const data = context.getImageData(0, 0, copy.width, copy.height).data;
          let n = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i] < 250) n++;
          return n;
        });
      const drawnBy = Date.now() + 3000;
      while ((await darkPixels()) <= 20_000 && Date.now() < drawnBy) await new Promise((r) => setTimeout(r, 50));
      const dark = await darkPixels();
      expect(dark).toBeGreaterThan(20_000);
      await shot('playground-vae');
      const node = await runPlayground(config, {
        engine: vaeEngine('wasm'),
        mnist: { train: readMnist('train'), test: readMnist('test') },
      });
      expect(inPage).toBe(`${node.map((m) => JSON.stringify(m)).join('\n')}\n`);
    },
  );

  it('logged no console errors or warnings on any page', () => {
    expect(errors).toEqual([]);
  });
});
