/**
 * The web build's guard: a Node-only import anywhere in the browser bundle (the playground's worker runs the
 * library's own code, which must stay browser-safe) fails the build, naming the importer, instead of failing in
 * a browser. The real build (`npm run build:web`) runs the same plugin over the app and its worker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import { noNodeImports } from '../web/vite.config.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-web-build-'));

async function bundle(source: string): Promise<void> {
  const entry = path.join(dir, `entry-${Math.random().toString(36).slice(2)}.js`);
  fs.writeFileSync(entry, source);
  await build({
    configFile: false,
    root: dir,
    logLevel: 'silent',
    plugins: [noNodeImports()],
    build: { write: false, lib: { entry, formats: ['es'], fileName: 'out' } },
  });
}

describe('the browser bundle', () => {
  it('builds browser-safe code', async () => {
    await expect(bundle("export const x = new URL('https://example.org').host;")).resolves.toBeUndefined();
  });

  it.each([["import fs from 'node:fs'"], ["import { join } from 'path'"], ["import { Worker } from 'worker_threads'"]])(
    'fails on %s, naming it',
    async (line) => {
      await expect(bundle(`${line};\nexport const y = typeof globalThis;`)).rejects.toThrow(
        /imports '[^']+', a Node-only module: the browser bundle cannot hold it/,
      );
    },
  );
});
