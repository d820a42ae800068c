import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Metrics } from '../core/family.js';
import { runLoop } from '../core/loop.js';
import { RunFolder } from '../core/run-folder.js';
import { buildRealData } from '../data/real-data.js';
import { createFamily } from '../families/index.js';
import { createPolicy } from '../policies/index.js';
import { writeCorpus } from '../test-helpers/corpus.js';
import { parseExperimentConfig } from './config.js';
import { LM_MITIGATION_RUNS, lmMitigationConfigs, runComparison } from './mitigations.js';
import { runExperiment } from './run.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-mitigations-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const corpus = path.join(dir, 'corpus.txt');
writeCorpus(corpus, 2600, 800, 1);
// 2,340 training lines × 13 tokens: 475 blocks of 64.
const SMALL = { real: { type: 'text', path: corpus }, samplesPerGeneration: 475, generations: 4 } as const;

describe('LM mitigations: watermarks and isolate', () => {
  it('one seed and one real pool; isolate at watermarkShare 1, 0.5 and 0 over accumulate and web', () => {
    const set = lmMitigationConfigs(2, SMALL).map(({ label, config }) => ({
      label,
      config: parseExperimentConfig(config),
    }));
    expect(set.map((s) => s.label)).toEqual(LM_MITIGATION_RUNS.map((r) => r.label));
    for (const { config } of set) {
      expect(config).toMatchObject({ seed: 2, generations: 4, real: SMALL.real, family: { type: 'ngram', order: 3 } });
      if (config.policy.type === 'isolate' && config.family.type === 'ngram') {
        expect(config.policy.watermark).toEqual({
          ...(config.family.watermark as object),
          watermarkShare: config.family.watermarkShare,
        });
      }
    }
    const isolate = set.filter((s) => s.config.policy.type === 'isolate');
    expect(isolate.map((s) => s.config.family.watermarkShare)).toEqual([1, 0.5, 0, 1, 0.5, 0]);
    expect(new Set(set.map((s) => s.config.name)).size).toBe(set.length);
  });

  it('isolation keeps only real text when every generator watermarks, half the synthetic at 0.5, all at 0', async () => {
    const runs = new Map<string, Metrics[]>();
    for (const { label, config } of lmMitigationConfigs(1, SMALL)) {
      runs.set(label, (await runExperiment(config, { out: null })).metrics);
    }
    const final = (label: string) => runs.get(label)?.at(-1) as Record<string, number>;
    for (let g = 1; g < 4; g++) {
      const all = runs.get('isolate, share 1')?.[g] as Record<string, number>;
      // Generation g's candidates: 475 real blocks and g synthetic sets of 475, every one watermarked.
      expect(all.isolateCandidates).toBe(475 * (g + 1));
      expect(all.isolateKeptReal).toBeGreaterThanOrEqual(470);
      expect(all.isolateKeptSynthetic).toBeLessThanOrEqual(5);
      expect(all.isolateRecallWatermarked).toBeGreaterThan(0.99);
      expect(all.realFraction).toBeGreaterThan(0.99);
      const half = runs.get('isolate, share 0.5')?.[g] as Record<string, number>;
      expect(Math.abs(half.isolateRecallSynthetic - 0.5)).toBeLessThan(0.03);
      expect(half.isolatePrecisionWatermarked).toBeGreaterThan(0.99);
      expect(half.isolateKeptSynthetic + half.isolateKeptReal).toBe(half.trainSize);
    }
    // Nobody watermarks and nothing is flagged: isolate is exactly accumulate.
    expect(runs.get('isolate, share 0')?.every((m) => !m.isolateDropped)).toBe(true);
    expect(final('isolate, share 0').testPerplexity).toBe(final('accumulate').testPerplexity);
    // The effect on collapse: the more generators watermark, the more synthetic text isolation removes.
    const ppl = (label: string) => final(label).testPerplexity;
    expect(ppl('isolate, share 1')).toBeLessThan(ppl('isolate, share 0.5'));
    expect(ppl('isolate, share 0.5')).toBeLessThan(ppl('accumulate'));
    expect(ppl('accumulate')).toBeLessThan(ppl('replace'));
    // The watermark's bias itself narrows the text the next generation learns from.
    expect(final('accumulate, all watermarked').distinct3).toBeLessThan(final('accumulate').distinct3);
    expect(final('accumulate, all watermarked').watermarkZMarked).toBeGreaterThan(4);
  });

  it('resumes isolate exactly: which items were watermarked is derived, never stored', async () => {
    const input = lmMitigationConfigs(1, SMALL).find((c) => c.label === 'isolate, share 0.5')?.config;
    const config = parseExperimentConfig(input);
    const spec = () => ({
      family: createFamily(config.family),
      policy: createPolicy(config.policy),
      real: buildRealData(config) as never,
      generations: 4,
      samplesPerGeneration: config.samplesPerGeneration,
      seed: config.seed,
      checkpointSeconds: 0,
    });
    const whole = await runLoop(spec());
    const folder = RunFolder.create(dir, config.name, config);
    const stop = new AbortController();
    const hooks = { signal: stop.signal, onGeneration: (_: unknown, g: number) => g === 1 && stop.abort() };
    await expect(runLoop(spec(), folder, hooks)).rejects.toThrow();
    const resumed = await runLoop(spec(), RunFolder.open(folder.dir));
    expect(resumed.startGeneration).toBe(2);
    const lines = fs.readFileSync(path.join(folder.dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(whole.metrics.map((m) => JSON.stringify(m)));
  });
});

// CI points COLLAPSE_LAB_DATA at the shared data folder; elsewhere the WikiText-2 check is skipped.
const sharedData = process.env.COLLAPSE_LAB_DATA;
const haveReal = !!sharedData && fs.existsSync(path.join(sharedData, 'wikitext-2', 'wiki.train.tokens'));
if (!haveReal) console.warn('lm mitigations: COLLAPSE_LAB_DATA/wikitext-2 not found; skipping the WikiText-2 check');

describe.skipIf(!haveReal)('LM mitigations on WikiText-2 (ngram-quick sizes)', () => {
  it('isolating fully watermarked text trains on real blocks only and ends below accumulate', async () => {
    const wanted = ['accumulate', 'isolate, share 1'];
    const set = lmMitigationConfigs(1, { real: { type: 'wikitext', dataDir: sharedData } });
    const results = await runComparison(set.filter((c) => wanted.includes(c.label)));
    const final = Object.fromEntries(results.map((r) => [r.label, r.final as Record<string, number>]));
    expect(final['isolate, share 1'].realFraction).toBeGreaterThan(0.99);
    expect(final['isolate, share 1'].isolateRecallWatermarked).toBeGreaterThan(0.99);
    expect(final['isolate, share 1'].testPerplexity).toBeLessThan(0.9 * final.accumulate.testPerplexity);
  });
});
