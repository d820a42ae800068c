/**
 * The web UI's build: Svelte pages and the playground's worker into dist/web. The browser bundle must not pull in
 * a Node-only module (the library code it shares with the CLI has to stay browser-safe): any `node:` import, or
 * a bare Node built-in, fails the build here instead of failing in the browser.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

export function noNodeImports(): Plugin {
  return {
    name: 'collapse-lab:no-node-imports',
    enforce: 'pre',
    resolveId(id, importer) {
      const bare = id.startsWith('node:') ? id.slice(5) : id;
      if (id.startsWith('node:') || NODE_BUILTINS.has(bare.split('/')[0]))
        this.error(`${importer ?? '?'} imports '${id}', a Node-only module: the browser bundle cannot hold it`);
      return null;
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [noNodeImports(), svelte()],
  build: {
    outDir: path.resolve(import.meta.dirname, '../dist/web'),
    emptyOutDir: true,
    // One file per chunk, no inline module preload polyfill (the CSP allows no inline script).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2500,
  },
  worker: { format: 'es', plugins: () => [noNodeImports()] },
});
