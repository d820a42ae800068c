/**
 * The gmm family's WebAssembly E-step is embedded as bytes (src/families/gmm/estep-wasm.ts) so it loads
 * synchronously everywhere; this keeps those bytes the compiled form of native/wasm/gmm.ts, so an edit to the
 * kernel cannot ship with stale bytes. (Its agreement with the TypeScript path is src/families/gmm/em.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, without types
import { compileGmmKernel, embeddedSource } from '../scripts/embed-gmm-wasm.mjs';

describe('the embedded gmm kernel', () => {
  it('is native/wasm/gmm.ts as AssemblyScript compiles it now', () => {
    const committed = fs.readFileSync(path.join(import.meta.dirname, '../src/families/gmm/estep-wasm.ts'), 'utf8');
    expect(committed).toBe(embeddedSource(compileGmmKernel()));
  }, 60_000);
});
