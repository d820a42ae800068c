import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoop } from '../core/loop.js';
import { RunFolder } from '../core/run-folder.js';
import { buildRealData } from '../data/real-data.js';
import { createFamily } from '../families/index.js';
import { createPolicy } from '../policies/index.js';
import { parseExperimentConfig } from './config.js';
import { mitigationConfigs, runComparison } from './mitigations.js';
import { findPreset } from './presets.js';
import { resolveConfig } from './run.js';

const SHORT = { generations: 40, heldOutSize: 2000 };
/** The preset with another policy (replaced whole: resolveConfig would merge nested selections). */
const withPolicy = (policy: unknown) => parseExperimentConfig({ ...findPreset('mitigations')?.config, policy });

describe('mitigations comparison', () => {
  it('is one family, one seed and one real pool under every policy the issue names', () => {
    const set = mitigationConfigs(3).map(({ label, config }) => ({ label, config: parseExperimentConfig(config) }));
    expect(set.map((s) => s.label)).toEqual(
      expect.arrayContaining(['replace', 'mix 10%', 'accumulate', 'web', 'filter', 'filter + feedback']),
    );
    for (const { config } of set) {
      expect(config).toMatchObject({ seed: 3, preset: 'mitigations', family: set[0].config.family });
      expect(config.real).toEqual(set[0].config.real);
      expect(config.realSize).toBe(set[0].config.realSize);
    }
    expect(new Set(set.map((s) => s.config.name)).size).toBe(set.length);
    expect(resolveConfig('mitigations').policy).toMatchObject({ type: 'filter', feedback: { controller: 'spread' } });
  });

  it('reads a feedback config as it was meant: gain and integral name pi-v1, the rest spread', () => {
    const feedbackOf = (feedback: unknown) => {
      const policy = withPolicy({ type: 'filter', verifier: 'quality', feedback }).policy;
      return policy.type === 'filter' ? policy.feedback : undefined;
    };
    expect(feedbackOf({})).toEqual({ controller: 'spread', step: 0.3 });
    expect(feedbackOf({ step: 0.5 })).toEqual({ controller: 'spread', step: 0.5 });
    // A config written before spread existed keeps its controller.
    expect(feedbackOf({ gain: 2, integral: 0.1 })).toEqual({ controller: 'pi-v1', gain: 2, integral: 0.1 });
    expect(feedbackOf({ integral: 0 })).toEqual({ controller: 'pi-v1', gain: 1, integral: 0 });
    expect(feedbackOf({ controller: 'pi-v1' })).toEqual({ controller: 'pi-v1', gain: 1, integral: 0.05 });
    expect(() => feedbackOf({ controller: 'spread', gain: 1 })).toThrow(
      /policy\.feedback\.gain: gain belongs to controller 'pi-v1'.*\(got 1\)/,
    );
    expect(() => feedbackOf({ controller: 'pi-v1', step: 0.5 })).toThrow(
      /policy\.feedback\.step: step belongs to controller 'spread'/,
    );
    expect(() => feedbackOf({ step: 1.5 })).toThrow(/policy\.feedback\.step/);
    expect(() => feedbackOf({ controller: 'kalman' })).toThrow(/policy\.feedback\.controller/);
    // spread ranks by the previous model's own score; another verifier is named as the fix.
    expect(() => withPolicy({ type: 'filter', verifier: 'held-out', feedback: {} })).toThrow(
      /policy\.feedback\.controller: controller 'spread' reads the band off the previous model's own score: set verifier: quality/,
    );
    expect(withPolicy({ type: 'filter', feedback: { gain: 1 } }).policy).toMatchObject({ verifier: 'generation-zero' });
  });

  it('configs combine filter with web and name the field of a bad combination', async () => {
    const config = withPolicy({
      type: 'filter',
      source: { type: 'web', stock: 400 },
      selection: { type: 'top', fraction: 0.8 },
    });
    expect(config.policy).toMatchObject({ verifier: 'generation-zero', source: { type: 'web', snapshot: false } });
    const run = await runLoop({
      family: createFamily(config.family),
      policy: createPolicy(config.policy),
      real: buildRealData(config) as never,
      generations: 6,
      samplesPerGeneration: config.samplesPerGeneration,
      seed: config.seed,
    });
    expect(run.metrics[5]).toMatchObject({ trainSize: 80, filterCandidates: 100, webFresh: expect.any(Number) });
    expect(() => withPolicy({ type: 'filter', selection: { type: 'importance' }, feedback: {} })).toThrow(
      /policy\.feedback: feedback adjusts a top fraction or a band/,
    );
    expect(() =>
      resolveConfig('mitigations', {
        policy: { type: 'filter', selection: { type: 'band', dropLikely: 0.6, dropUnlikely: 0.5 } },
      }),
    ).toThrow(/dropUnlikely \+ dropLikely must be below 1/);
    expect(() => withPolicy({ type: 'web', stock: -1 })).toThrow(/policy\.stock/);
  });

  it('runs deterministically and writes every decision into the metrics lines', async () => {
    const a = await runComparison(mitigationConfigs(1, SHORT));
    const b = await runComparison(mitigationConfigs(1, SHORT));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const final = Object.fromEntries(a.map((r) => [r.label, r.final]));
    expect(final.replace.realFraction).toBe(0);
    expect(final['mix 10%'].realFraction).toBeCloseTo(0.1, 12);
    expect(final['web snapshot'].realFraction).toBe(1);
    const web = final.web as Record<string, number>;
    expect(web.realFraction).toBe(web.webHumanScraped / web.trainSize);
    expect(final['filter + feedback']).toMatchObject({
      feedbackLogWidthError: expect.any(Number),
      feedbackKeptRatio: expect.any(Number),
      filterDropLikely: expect.any(Number),
      filterKept: expect.any(Number),
    });
    expect(final['filter + feedback (pi-v1)']).toMatchObject({
      feedbackGap: expect.any(Number),
      feedbackIntegral: expect.any(Number),
      filterDropLikely: expect.any(Number),
      filterKept: expect.any(Number),
    });
    expect(final['filter importance'].filterEffectiveShare).toBeGreaterThan(0);
  });

  it('resumes filter + feedback, web and importance exactly: their state is derived from the run folder', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-mitigations-'));
    for (const label of ['filter + feedback', 'filter + feedback (pi-v1)', 'web', 'filter importance']) {
      const input = mitigationConfigs(1, SHORT).find((c) => c.label === label)?.config;
      const config = parseExperimentConfig(input);
      // The loop itself (no report): a fresh family, policy and real data each time, as a new process would have.
      const spec = () => ({
        family: createFamily(config.family),
        policy: createPolicy(config.policy),
        real: buildRealData(config) as never,
        generations: 24,
        samplesPerGeneration: config.samplesPerGeneration,
        seed: config.seed,
        checkpointSeconds: 0,
      });
      const whole = await runLoop(spec());
      const folder = RunFolder.create(out, config.name, config);
      const stop = new AbortController();
      const hooks = { signal: stop.signal, onGeneration: (_: unknown, g: number) => g === 11 && stop.abort() };
      await expect(runLoop(spec(), folder, hooks)).rejects.toThrow();
      const resumed = await runLoop(spec(), RunFolder.open(folder.dir));
      expect(resumed.startGeneration).toBe(12);
      const lines = fs.readFileSync(path.join(folder.dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
      expect(lines).toEqual(whole.metrics.map((m) => JSON.stringify(m)));
    }
    fs.rmSync(out, { recursive: true });
  });
});
