/**
 * Property-based fuzzing of the config surface (fast-check): whatever the input, the outcome is a valid,
 * complete run folder, or exit code 2 with a message and nothing written. Never an internal error, a stack
 * trace or a half-written folder. Sizes are drawn small (or absurd), so valid runs take milliseconds. The
 * command line's flags are fuzzed the same way in cli/cli-fuzz.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectCompleteRun } from '../test-helpers/complete-run.js';
import { resolveConfig, runExperiment } from './run.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-fuzz-'));
const PRESETS = ['dice', 'gaussian', 'categorical', 'gmm', 'mitigations'];

/** A value for a numeric field: usually small, sometimes of the wrong type or absurd. */
const count = (small: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -2, max: small }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(0.5, 1e12, 1e11, -1e9, '10', null, true, [], {}, Number.NaN, Infinity),
    },
  );

const policy = fc.oneof(
  fc.record({
    type: fc.constantFrom('replace', 'accumulate', 'mix', 'accumulate-subsample', 'web', 'filter', 'isolate', 'nosuch'),
  }),
  fc.record({
    type: fc.constant('mix'),
    realFraction: fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), fc.constant('x')),
  }),
);

const family = fc.oneof(
  fc.record(
    { type: fc.constant('gmm'), components: count(4), init: fc.constantFrom('kmeans', 'kmeans++', 'random', 'best') },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constantFrom('gaussian', 'categorical', 'ngram', 'nosuch') }),
);

const real = fc.oneof(
  fc.record({
    type: fc.constant('gaussian'),
    mean: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('categorical'),
    probabilities: fc.array(fc.double({ min: -0.5, max: 1, noNaN: true }), { maxLength: 4 }),
  }),
  fc.record(
    { type: fc.constantFrom('zipf', 'file', 'text', 'wikitext', 'nosuch'), path: fc.constantFrom('/nonexistent', '.') },
    { requiredKeys: ['type'] },
  ),
);

/** Mostly absent (the preset's value stands), sometimes fuzzed: so that a fair share of inputs are valid runs. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const overrides = fc.record({
  // Not absurdly many: a huge generations value is valid (bounding it is issue 20's), and would run for ages.
  generations: sometimes(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom<unknown>(0.5, '3', null, -1e9))),
  samplesPerGeneration: sometimes(count(40)),
  realSize: sometimes(count(40)),
  heldOutSize: sometimes(count(60)),
  seed: sometimes(fc.oneof(fc.integer({ min: -3, max: 2 ** 31 }), fc.constant(2 ** 60))),
  name: sometimes(
    fc.oneof(fc.constantFrom('ok', '../escape', '/abs', '', 'a b', 'x'.repeat(300)), fc.string({ maxLength: 8 })),
  ),
  checkpointSeconds: sometimes(fc.constantFrom(0, -1, 0.01, 'x')),
  snapshotGenerations: sometimes(fc.array(fc.integer({ min: -1, max: 8 }), { maxLength: 3 })),
  policy: sometimes(policy),
  family: sometimes(family),
  real: sometimes(real),
  unknownSetting: fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  ),
});

type Outcome =
  | { readonly kind: 'ok'; readonly dir: string; readonly generations: number }
  | { readonly kind: 'refused' };

/** Either a refusal with exit code 2 and a message, or a run; any other error fails the property. */
async function attempt(preset: string, input: Record<string, unknown>, out: string): Promise<Outcome> {
  try {
    const config = resolveConfig(preset, { ...input, generations: input.generations ?? 3 });
    const result = await runExperiment(config, { out, report: false });
    return { kind: 'ok', dir: result.runDir as string, generations: config.generations };
  } catch (error) {
    const e = error as Error & { exitCode?: number };
    if (e.exitCode !== 2 || !e.message) throw new Error(`not a user error: ${e.stack ?? e}`);
    return { kind: 'refused' };
  }
}

describe('fuzzing the config surface', () => {
  it('configs: a complete run, or exit 2 with nothing written', async () => {
    const seen = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PRESETS), overrides, async (preset, input) => {
        const out = path.join(tmp(), 'runs');
        const outcome = await attempt(preset, input as Record<string, unknown>, out);
        seen[outcome.kind]++;
        if (outcome.kind === 'ok') {
          expect(fs.readdirSync(out)).toHaveLength(1);
          expectCompleteRun(outcome.dir, outcome.generations);
        } else expect(fs.existsSync(out)).toBe(false);
      }),
      { numRuns: 150 },
    );
    // Both sides of the property were exercised.
    expect(seen.ok).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  }, 120_000);
});
