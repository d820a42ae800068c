import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Lets the engine tests run the relaxed-SIMD WebAssembly build too (on by default from Node 22).
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
