/**
 * End to end: report.html opened from disk in headless Chromium (Debian's `chromium`, driven by playwright-core)
 * shows every figure with a real size and logs no errors. Screenshots go to artifacts/ (git-ignored) for people
 * to look at. Without Chromium the test is skipped and says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildComparisonReport } from './compare.js';
import { fixtureRun, tempDir } from './test-helpers/fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const found = fs.existsSync(CHROMIUM);
if (!found) {
  console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

describe('report.html in a browser', () => {
  it.skipIf(!found)(
    `opens from disk with every figure drawn and no console errors${found ? '' : ` (skipped: no Chromium at ${CHROMIUM})`}`,
    async () => {
      const out = tempDir();
      const runs = [await fixtureRun('gmm', out), await fixtureRun('gmm', out, { seed: 2 })];
      const compared = await buildComparisonReport(runs, path.join(out, 'compare'));
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        // Anything but the report's own files would be a network fetch: fail on it.
        const fetched: string[] = [];
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) fetched.push(r.url());
        });
        fs.mkdirSync('artifacts', { recursive: true });
        for (const [name, file] of [
          ['run', path.join(runs[0], 'report.html')],
          ['compare', compared.html],
        ]) {
          await page.goto(pathToFileURL(file).href);
          const sizes = await page.$$eval('figure', (figures) =>
            figures.map((f) => {
              const svg = f.querySelector('svg')?.getBoundingClientRect();
              return { id: f.id, width: svg?.width ?? 0, height: svg?.height ?? 0 };
            }),
          );
          expect(sizes.length).toBeGreaterThanOrEqual(2);
          for (const s of sizes) {
            expect(s.width, `${name}: figure ${s.id} width`).toBeGreaterThan(50);
            expect(s.height, `${name}: figure ${s.id} height`).toBeGreaterThan(50);
          }
          await page.screenshot({ path: path.join('artifacts', `report-${name}.png`), fullPage: true });
        }
        expect(errors).toEqual([]);
        expect(fetched).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
