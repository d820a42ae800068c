/**
 * The playground runs the library's own loop: a config gives the numbers `collapse-lab run` writes for it, bit
 * for bit, in Node and in Chromium; its URL gives back the same config; its frames draw what the metrics say;
 * and nothing it imports needs Node.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readMnist } from '../data/mnist.js';
import type { MnistSet } from '../data/mnist-set.js';
import { runExperiment } from '../experiments/run.js';
import { vaeEngine } from '../families/vae/node-host.js';
import { serveStatic } from '../test-helpers/serve-static.js';
import {
  defaultPlaygroundConfig,
  type PlaygroundConfig,
  type PlaygroundFrame,
  playgroundConfigFromSearch,
  playgroundConfigToSearch,
  runPlayground,
  theoryCurve,
} from './index.js';

const CLI = path.resolve('dist/cli/main.js');
const ENTRY = path.resolve('dist/playground/index.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** MNIST's first images, or the reason they are absent. */
function mnistSlice(train: number, test: number): { train: MnistSet; test: MnistSet } | string {
  let sets: { train: MnistSet; test: MnistSet };
  try {
    sets = { train: readMnist('train'), test: readMnist('test') };
  } catch (error) {
    return `no MNIST (${(error as Error).message.slice(0, 80)}…)`;
  }
  const first = (set: MnistSet, n: number): MnistSet => ({
    pixels: set.pixels.slice(0, n * 784),
    labels: set.labels.slice(0, n),
    count: n,
    sha256: '',
  });
  return { train: first(sets.train, train), test: first(sets.test, test) };
}
const MNIST = mnistSlice(400, 100);
const mnistSkip = typeof MNIST === 'string' ? MNIST : '';

/** A small vae run: 2 generations on the first 400 training images. */
const tinyVae = (): PlaygroundConfig =>
  ({
    ...defaultPlaygroundConfig('vae'),
    generations: 2,
    samplesPerGeneration: 300,
    heldOutSize: 100,
    real: { type: 'mnist', trainImages: 400 },
    family: { ...defaultPlaygroundConfig('vae').family, epochs: 1, latentProbe: 200, diversitySamples: 50 },
  }) as PlaygroundConfig;

const shortened = (name: Parameters<typeof defaultPlaygroundConfig>[0], changes: object = {}): PlaygroundConfig =>
  ({ ...defaultPlaygroundConfig(name), ...changes }) as PlaygroundConfig;

async function frames(config: PlaygroundConfig): Promise<PlaygroundFrame[]> {
  const out: PlaygroundFrame[] = [];
  await runPlayground(config, { onFrame: (f) => out.push(f) });
  return out;
}

describe('the playground', () => {
  it.skipIf(!fs.existsSync(CLI))(
    'gives the metrics lines `collapse-lab run` writes for the same config file',
    async () => {
      const config = shortened('gmm-two', { generations: 25, policy: { type: 'mix', realFraction: 0.2 } });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playground-cli-'));
      try {
        const file = path.join(dir, 'config.json');
        fs.writeFileSync(file, JSON.stringify(config));
        execFileSync(process.execPath, [CLI, 'run', file, '--out', dir, '--no-report', '--progress', 'none'], {
          stdio: 'pipe',
        });
        const [runDir] = fs.readdirSync(dir).filter((n) => n !== 'config.json');
        const cliLines = fs
          .readFileSync(path.join(dir, runDir, 'metrics.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(cliLines).toHaveLength(25);
        expect(await runPlayground(config)).toEqual(cliLines);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('matches an in-memory library run for every experiment and policy family', async () => {
    for (const [name, changes] of [
      ['dice', { generations: 40 }],
      ['categorical', { generations: 5, policy: { type: 'accumulate' } }],
      ['gaussian', { generations: 60, policy: { type: 'mix', realFraction: 0.1, realSelection: 'fixed' } }],
      ['gmm', { generations: 10 }],
    ] as const) {
      const config = shortened(name, changes);
      const library = await runExperiment(config, { out: null, report: false });
      expect(await runPlayground(config), name).toEqual(library.metrics);
    }
  });

  it.skipIf(Boolean(mnistSkip))(
    `trains the vae on an MNIST slice it is given, as the library does from the files${mnistSkip ? ` (skipped: ${mnistSkip})` : ''}`,
    async () => {
      const config = tinyVae();
      const frames: PlaygroundFrame[] = [];
      const sets = MNIST as { train: MnistSet; test: MnistSet };
      const played = await runPlayground(config, {
        engine: vaeEngine('wasm'),
        mnist: sets,
        onFrame: (f) => frames.push(f),
      });
      const library = await runExperiment(config, { out: null, report: false });
      expect(played).toEqual(library.metrics);
      expect(frames.map((f) => f.view.kind)).toEqual(['image', 'image']);
      const png = frames[0].view.kind === 'image' ? frames[0].view.src : '';
      expect(png.startsWith('data:image/png;base64,iVBORw0KGgo')).toBe(true); // the PNG signature
      await expect(runPlayground(config, { mnist: sets })).rejects.toThrow(/engine/);
      await expect(runPlayground(config, { engine: vaeEngine('wasm') })).rejects.toThrow(/mnist/);
    },
  );

  it('puts the whole config in its URL, and a reload of the URL gives the same config and numbers', async () => {
    const config = shortened('gaussian', { generations: 30, seed: 987_654_321, samplesPerGeneration: 37 });
    const search = playgroundConfigToSearch(config);
    const back = playgroundConfigFromSearch(search) as PlaygroundConfig;
    expect(back).toEqual(config);
    expect(await runPlayground(back)).toEqual(await runPlayground(config));
    expect(playgroundConfigFromSearch('?other=1')).toBeUndefined();
    const bad = search.replace('%22samplesPerGeneration%22%3A37', '%22samplesPerGeneration%22%3A-3');
    expect(bad).not.toBe(search);
    expect(() => playgroundConfigFromSearch(bad)).toThrow(/samplesPerGeneration/);
    expect(() => playgroundConfigFromSearch('?config=%7Bnot')).toThrow(/not JSON/);
    // Families a browser cannot run are refused by name, with the ones it can.
    const vae = search.replace('%22type%22%3A%22gaussian%22%2C%22estimator', '%22type%22%3A%22ngram%22%2C%22estimator');
    expect(() => playgroundConfigFromSearch(vae)).toThrow(/family\.type/);
  });

  it('draws what the metrics say: the model probabilities, density and components of each generation', async () => {
    const dice = await frames(shortened('dice', { generations: 30 }));
    for (const f of dice) {
      if (f.view.kind !== 'histogram') throw new Error('dice draws a histogram');
      expect(f.view.model).toEqual(f.metrics.probabilities);
      expect(f.view.truth).toEqual(Array(6).fill(1 / 6));
    }
    const gaussian = await frames(shortened('gaussian', { generations: 20 }));
    for (const f of gaussian) {
      if (f.view.kind !== 'density') throw new Error('a 1-D Gaussian draws a density');
      const { x, model, truth } = f.view;
      // N(μ, σ²) peaks at 1/√(2πσ²) at its mean; the truth is N(0, 1) on ±5 sd.
      const variance = f.metrics.variance as number;
      const peak = Math.max(...model);
      expect(peak).toBeLessThanOrEqual(1 / Math.sqrt(2 * Math.PI * variance) + 1e-12);
      expect(Math.max(...truth)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 12);
      expect([x[0], x[x.length - 1]]).toEqual([-5, 5]);
      // Trapezoid rule: the density integrates to 1 while the model stays inside the grid.
      let area = 0;
      for (let i = 1; i < x.length; i++) area += ((model[i] + model[i - 1]) / 2) * (x[i] - x[i - 1]);
      if (Math.abs(f.metrics.mean as number) < 2) expect(area).toBeCloseTo(1, 2);
    }
    // A collapsed model, far narrower than the grid's step, still shows its peak: 1/√(2πσ²) at its mean.
    const late = (await frames(shortened('gaussian', { generations: 600 })))[599];
    if (late.view.kind !== 'density') throw new Error('a 1-D Gaussian draws a density');
    const sigma2 = late.metrics.variance as number;
    expect(Math.sqrt(sigma2)).toBeLessThan(0.05); // narrower than the 201-point grid's step of 0.05
    expect(Math.max(...late.view.model) * Math.sqrt(2 * Math.PI * sigma2)).toBeCloseTo(1, 9);
    expect(late.view.x.every((v, i, x) => i === 0 || v >= x[i - 1])).toBe(true);
    const gmm = await frames(shortened('gmm-two', { generations: 5 }));
    for (const f of gmm) {
      if (f.view.kind !== 'points') throw new Error('a 2-D mixture draws points');
      expect(f.view.points).toHaveLength(2 * 500);
      expect(f.view.model).toHaveLength(2);
      expect(f.view.truth.map((e) => e.mean)).toEqual([
        [3, 0],
        [-3, 0],
      ]);
      // The metrics' total variance is the mixture's: Σ w (tr Σ + |μ|²) − |Σ w μ|².
      const m = f.view.model;
      const centre = [0, 1].map((k) => m.reduce((s, e) => s + e.weight * e.mean[k], 0));
      const total = m.reduce(
        (s, e) => s + e.weight * (e.covariance[0] + e.covariance[3] + e.mean[0] ** 2 + e.mean[1] ** 2),
        -(centre[0] ** 2 + centre[1] ** 2),
      );
      expect(total).toBeCloseTo(f.metrics.totalVariance as number, 9);
    }
  });

  it("draws theory's curve where a closed form applies, and none where it does not", () => {
    const dice = theoryCurve(shortened('dice', { generations: 50 }));
    expect(dice?.metric).toBe('giniSimpson');
    // (1 − 1/M)ⁿ⁺¹ (1 − Σp²) for a fair die at M = 100, by hand at n = 0 and n = 49.
    expect(dice?.rows[0].value).toBeCloseTo(0.99 * (5 / 6), 14);
    expect(dice?.rows[49].value).toBeCloseTo(0.99 ** 50 * (5 / 6), 14);
    const gaussian = theoryCurve(shortened('gaussian', { generations: 10 }));
    expect(gaussian?.metric).toBe('variance');
    expect(gaussian?.rows[3].value).toBeCloseTo(0.99 ** 4, 14);
    const row = gaussian?.rows[3];
    expect(row?.lo).toBeLessThan(row?.value as number);
    expect(row?.hi).toBeGreaterThan(row?.value as number);
    expect(theoryCurve(shortened('gaussian', { policy: { type: 'accumulate' } }))).toBeUndefined();
    expect(theoryCurve(shortened('gmm'))).toBeUndefined();
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    let seen = 0;
    const run = runPlayground(shortened('gaussian'), {
      signal: controller.signal,
      onFrame: () => {
        if (++seen === 10) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect(seen).toBe(10);
  });

  it.skipIf(!fs.existsSync(ENTRY))(
    'imports nothing a browser lacks: no Node built-in anywhere in its module graph',
    () => {
      const { seen, packages } = moduleGraph(ENTRY);
      expect(seen.size).toBeGreaterThan(30); // the scan follows the graph (loop, families, policies, metrics)
      expect(seen.has(path.resolve('dist/core/loop.js'))).toBe(true);
      const builtins = [...packages].filter((p) => p.startsWith('node:') || builtinModules.includes(p.split('/')[0]));
      expect(builtins).toEqual([]);
      expect([...packages].sort()).toEqual(['fflate', 'zod']);
      // Nor a Node global: the compiled code never names process, Buffer, setImmediate, require or __dirname.
      const nodeGlobals = [...seen].filter((file) =>
        /\b(process\.\w|Buffer\.\w|setImmediate\(|require\(|__dirname)/.test(fs.readFileSync(file, 'utf8')),
      );
      expect(nodeGlobals.map((f) => path.relative('dist', f))).toEqual([]);
    },
  );
});

/** The compiled modules `entry` reaches (type-only imports are gone), and the packages they import. */
function moduleGraph(entry: string): { seen: Set<string>; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const IMPORT =
    /(?:^|[\s;}])(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
      else packages.add(spec);
    }
  };
  walk(entry);
  return { seen, packages };
}

describe('the numbers a browser computes', () => {
  it.skipIf(!fs.existsSync(ENTRY))(
    "use the library's exp, log and pow, never the engine's (which differ between Node and Chromium)",
    () => {
      const engineMath =
        /Math\.(exp|log|pow|expm1|log1p|log2|log10|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|cbrt|hypot)\b/; // called or passed
      // `**` is exact for a square and for powers of two, the only uses allowed.
      const exactPower = /\*\*\s*2(?![\d.])|\b2\s*\*\*\s*-?\d+/g;
      const offenders: string[] = [];
      for (const compiled of moduleGraph(ENTRY).seen) {
        const source = compiled
          .replace(`${path.sep}dist${path.sep}`, `${path.sep}src${path.sep}`)
          .replace(/\.js$/, '.ts');
        const relative = path.relative('src', source);
        const drawing = relative.startsWith(`plots${path.sep}`) || relative.endsWith(`${path.sep}figures.ts`);
        if (drawing || relative === path.join('numeric', 'libm.ts')) continue; // pictures, not numbers
        fs.readFileSync(source, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const code = line.replace(/\/\/.*$/, '');
            if (/^\s*(\*|\/\*)/.test(code)) return; // a comment
            if (engineMath.test(code) || code.replace(exactPower, '').includes('**'))
              offenders.push(`${relative}:${i + 1}: ${line.trim()}`);
          });
      }
      expect(offenders).toEqual([]);
    },
  );
});

const chromiumSkip = !fs.existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM}`
  : !fs.existsSync(ENTRY)
    ? `${ENTRY} is missing (npm run build)`
    : '';

/** A page that imports the playground and the browser engine from dist/; `use` gets the tab; no page errors allowed. */
async function inChromium<T>(use: (tab: Page) => Promise<T>): Promise<T> {
  const page = `<!doctype html><title>playground</title>
<script type="importmap">{"imports":{"zod":"/zod/index.js","fflate":"/fflate/esm/browser.js"}}</script>
<script type="module">
import * as m from '/dist/playground/index.js';
import * as e from '/dist/engine/browser.js';
window.playground = m; window.engine = e;
</script>`;
  const server = await serveStatic(
    { '/dist/': 'dist', '/zod/': 'node_modules/zod', '/fflate/': 'node_modules/fflate' },
    { '/': page },
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await tab.goto(server.url);
    await tab.waitForFunction(() => 'playground' in globalThis && 'engine' in globalThis);
    const result = await use(tab);
    expect(errors).toEqual([]);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

describe('the playground in Chromium', () => {
  it.skipIf(Boolean(chromiumSkip))(
    `runs the gmm experiment to generation 200 with the numbers Node gets, bit for bit${chromiumSkip ? ` (skipped: ${chromiumSkip})` : ''}`,
    async () => {
      await inChromium(async (tab) => {
        const config = shortened('gmm', { generations: 200 });
        const inPage = await tab.evaluate(async (c) => {
          const m = (globalThis as unknown as { playground: typeof import('./index.js') }).playground;
          return m.runPlayground(c);
        }, config);
        expect(inPage).toHaveLength(200);
        // Chromium's Math.exp, Math.log and ** differ from Node's in the last bit; the library's own (numeric/libm.ts)
        // do not, so the numbers agree to the last bit.
        expect(inPage).toEqual(await runPlayground(config));
      });
    },
  );

  it.skipIf(Boolean(chromiumSkip || mnistSkip))(
    `trains the vae on the WebAssembly engine with Node's numbers, bit for bit${chromiumSkip || mnistSkip ? ` (skipped: ${chromiumSkip || mnistSkip})` : ''}`,
    async () => {
      await inChromium(async (tab) => {
        const sets = MNIST as { train: MnistSet; test: MnistSet };
        const engine = vaeEngine('wasm');
        const relaxed = (engine.backend as { relaxed?: boolean }).relaxed ?? false;
        const bytes = (s: MnistSet) => Array.from(s.pixels, (p) => Math.round(p * 255));
        const config = tinyVae();
        const inPage = await tab.evaluate(
          async ({ c, train, trainLabels, test, testLabels, base, relaxed }) => {
            const g = globalThis as unknown as {
              playground: typeof import('./index.js');
              engine: typeof import('../engine/browser.js');
            };
            const backend = await g.engine.loadWasmBackendFromUrl(base, { relaxed, memoryMiB: 256 });
            const set = (p: number[], l: number[]) => ({
              pixels: Float32Array.from(p, (b) => b / 255),
              labels: Uint8Array.from(l),
              count: l.length,
              sha256: '',
            });
            return g.playground.runPlayground(c, {
              engine: new g.engine.Engine(backend),
              mnist: { train: set(train, trainLabels), test: set(test, testLabels) },
            });
          },
          {
            c: config,
            train: bytes(sets.train),
            trainLabels: Array.from(sets.train.labels),
            test: bytes(sets.test),
            testLabels: Array.from(sets.test.labels),
            base: new URL('dist/engine/', tab.url()).href,
            relaxed,
          },
        );
        expect(inPage).toEqual(await runPlayground(config, { engine, mnist: sets }));
      });
    },
  );
});
