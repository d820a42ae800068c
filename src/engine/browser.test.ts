/**
 * The engine in a browser: dist/engine served over HTTP to headless Chromium (Debian's `chromium`, driven by
 * playwright-core), which imports browser.js, fetches the WebAssembly kernels and trains a tiny GPT. Its losses
 * must match the same training run on the wasm backend in Node (same seeds, same kernels). Skipped, with the
 * reason, without Chromium or without a build (`npm test` builds first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { serveStatic } from '../test-helpers/serve-static.js';
import * as engine from './index.js';
import { trainPeriodic } from './test-helpers/periodic.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DIST = path.resolve('dist');
const BUILT = path.join(DIST, 'engine', 'browser.js');
const skip = !fs.existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
  : !fs.existsSync(BUILT)
    ? `${BUILT} is missing (run npm run build)`
    : '';
if (skip) console.warn(`engine browser test skipped: ${skip}`);

type EngineModule = typeof engine;

// The page imports the engine itself (a dynamic import inside page.evaluate would be rewritten by vitest).
const PAGE = `<!doctype html><title>engine</title>
<script type="module">import * as m from '/engine/browser.js'; window.engineModule = m;</script>`;

describe('the engine in a browser', () => {
  it.skipIf(Boolean(skip))(
    `trains a tiny GPT on the WebAssembly backend in Chromium, matching Node${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const server = await serveStatic({ '/': DIST }, { '/': PAGE });
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(server.url);
        await page.waitForFunction(() => 'engineModule' in globalThis);
        const inPage = await page.evaluate(
          async ({ source, base }: { source: string; base: string }) => {
            const m = (globalThis as unknown as { engineModule: EngineModule }).engineModule;
            const backend = await m.loadWasmBackendFromUrl(base, { memoryMiB: 64 });
            const train = new Function(`return (${source})`)();
            return { description: backend.description, losses: train(m, backend, 30) as number[] };
          },
          { source: trainPeriodic.toString(), base: `${server.url}engine/` },
        );
        expect(errors).toEqual([]);
        expect(inPage.description).toMatch(/^wasm/);
        // Chromium has relaxed SIMD; Node's test workers run with --experimental-wasm-relaxed-simd, so both use
        // the same build of the same kernels on the same CPU.
        const here = engine.loadWasmBackend();
        expect(inPage.description).toBe(here.description);
        const inNode = trainPeriodic(engine, here, 30);
        expect(inPage.losses[0]).toBeCloseTo(Math.log(8), 1);
        expect(inPage.losses[29]).toBeLessThan(0.6 * inPage.losses[0]);
        for (let i = 0; i < inNode.length; i++)
          expect(Math.abs(inPage.losses[i] - inNode[i]), `step ${i}`).toBeLessThan(1e-4 * Math.max(1, inNode[i]));
      } finally {
        await browser.close();
        await server.close();
      }
    },
  );
});
