import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, loadBackend } from './load.js';
import { sum } from './ops/shape.js';

describe('backend loading', () => {
  const saved = process.env.COLLAPSE_LAB_ISA;
  afterEach(() => {
    if (saved === undefined) delete process.env.COLLAPSE_LAB_ISA;
    else process.env.COLLAPSE_LAB_ISA = saved;
  });

  it('an explicit choice loads that backend', () => {
    expect(loadBackend('js').backend.name).toBe('js');
  });

  it('a native backend that cannot load is a note under auto (falling back to wasm) and an error when named', () => {
    process.env.COLLAPSE_LAB_ISA = 'no-such-isa'; // makes the native loader refuse, whether or not the addon is built
    const auto = loadBackend('auto');
    expect(auto.backend.name).not.toBe('native');
    expect(auto.notes.join('\n')).toMatch(/native backend is unavailable/);
    expect(() => loadBackend('native')).toThrow(/native backend is unavailable/);
  });

  it('createEngine gives a working engine', () => {
    const { engine } = createEngine('auto');
    expect(engine.tidy(() => sum(engine.tensor([3], [1, 2, 3])).item())).toBe(6);
  });
});
