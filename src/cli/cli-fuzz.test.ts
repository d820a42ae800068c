/**
 * Property-based fuzzing of `collapse-lab run`'s flags (fast-check), in this process: every command line ends in
 * a complete run (exit 0) or a UsageError, which main.ts prints alone with exit 2, and nothing written. Never
 * another error. A huge --generations is valid (bounding it is issue 20's), so it is not drawn.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectCompleteRun } from '../test-helpers/complete-run.js';
import { run } from './commands/run.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fuzzing the command line', () => {
  it('run with random flags: exit 0 with complete runs, or exit 2 with a message and nothing written', async () => {
    const values = ['3', '0', '-5', '0x5', '2.5', '', ' 4', 'NaN', 'mix', 'replace', '1', '0.2', '-1', '--json'];
    const flag = fc.oneof(
      fc.tuple(
        fc.constantFrom('--generations', '--policy', '--name', '--bogus', '--config'),
        fc.constantFrom(...values),
      ),
      fc.tuple(
        fc.constantFrom('--samples', '--seed', '--real-fraction', '--seeds', '--parallel'),
        fc.constantFrom(...values, '1e12'),
      ),
    );
    const seen = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('dice', 'gaussian', 'gmm', 'nosuch'),
        fc.array(flag, { maxLength: 4 }),
        async (preset, flags) => {
          const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-clifuzz-')), 'runs');
          const args = [preset, ...flags.flat(), '--out', out, '--no-report', '--json'];
          // Short runs: without a --generations flag the preset's 2,000 would run.
          if (!flags.some(([f]) => f === '--generations')) args.push('--generations', '2');
          let stdout = '';
          vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
            stdout += String(chunk);
            return true;
          });
          const outcome = await run(args).catch((e: Error & { exitCode?: number }) => e);
          vi.restoreAllMocks();
          const shown = args.join(' ');
          if (outcome instanceof Error) {
            seen.refused++;
            expect(outcome.exitCode, `${shown}: ${outcome.stack}`).toBe(2);
            expect(outcome.message.length, shown).toBeGreaterThan(10);
            expect(fs.existsSync(out), shown).toBe(false);
          } else {
            seen.ok++;
            expect(outcome, shown).toBe(0);
            const summary = JSON.parse(stdout);
            for (const r of summary.runs ?? [summary]) expectCompleteRun(r.runDir, r.generations);
          }
        },
      ),
      { numRuns: 150 },
    );
    expect(seen.ok).toBeGreaterThan(3);
    expect(seen.refused).toBeGreaterThan(3);
  }, 180_000);
});
