import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { readRun } from '../core/run-store.js';
import { fmt, share } from './format.js';
import { paperExperiments, registerExperiment } from './paper/index.js';
import { reproduce } from './reproduce.js';
import { resolveConfig } from './run.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-reproduce-'));

describe('reproduce', () => {
  it('has the paper experiments, each with replace, mix 10% and an accumulating policy', () => {
    const ids = paperExperiments().map((e) => e.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'dice',
        'categorical',
        'gaussian',
        'gmm',
        'gmm-two',
        'ngram',
        'mitigations',
        'watermark',
        'vae',
      ]),
    );
    for (const e of paperExperiments()) {
      // One fit per cell, no loop (strong collapse): its measurements come from compute().
      if (e.configs(true).length === 0) {
        expect(e.compute).toBeDefined();
        continue;
      }
      const configs = e.configs(true);
      const policies = new Set(configs.map((c) => c.policy.type));
      // The paper's setting: replace, or mix with no real data (the threshold sweep's first point).
      const paperSetting =
        policies.has('replace') || configs.some((c) => c.policy.type === 'mix' && c.policy.realFraction === 0);
      // Every experiment contrasts the paper's setting with a remedy that keeps real data.
      expect(paperSetting && (policies.has('mix') || policies.has('accumulate'))).toBe(true);
      // --quick is shorter than the full run.
      const length = (quick: boolean) =>
        e.configs(quick).reduce((a, c) => a + c.generations * c.samplesPerGeneration, 0);
      expect(length(true)).toBeLessThanOrEqual(length(false));
    }
  });

  it('runs dice and writes sentences whose numbers come from the runs', async () => {
    const out = tmp();
    const result = await reproduce({ quick: true, only: ['dice'], out });
    const html = fs.readFileSync(result.report, 'utf8');
    const dice = result.experiments[0];
    expect(dice.id).toBe('dice');
    // Recompute the replace seeds' final support from their metrics.jsonl and find it in the first sentence.
    const runs = fs.readdirSync(path.join(out, 'runs')).map((d) => readRun(path.join(out, 'runs', d)));
    const replace = runs.filter((r) => r.config.policy.type === 'replace');
    expect(replace).toHaveLength(5);
    const finals = replace.map((r) => r.metrics[r.metrics.length - 1].supportSize as number);
    const mean = finals.reduce((a, b) => a + b, 0) / finals.length;
    expect(dice.sentences[0]).toContain(`kept ${fmt(mean)} of 6 faces`);
    expect(dice.sentences[0]).toContain(`(seeds: ${finals.join(', ')})`);
    // Mix keeps real rolls of every face, so no face can be lost for good.
    const mix = runs.find((r) => r.config.policy.type === 'mix');
    expect(dice.sentences[1]).toContain(`${mix?.metrics.at(-1)?.supportSize} faces survived`);
    expect(html).toContain(dice.sentences[0].replace(/&/g, '&#38;'));
    expect(dice.table.rows.map((r) => r[0])).toEqual(['replace (5 seeds)', 'mix 10% real', 'accumulate']);
    expect(fs.existsSync(path.join(out, 'figures', 'dice-categorical-compare.png'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')).quick).toBe(true);
    // The report opens with the claims its runs check, each with its re-run command.
    expect(result.claims.map((c) => [c.experiment, c.pass])).toEqual([
      ['dice', true],
      ['dice', true],
      ['dice', true],
    ]);
    expect(result.claims[0].command).toBe('collapse-lab reproduce --only dice --quick');
    expect(html.indexOf('Claims checked')).toBeLessThan(html.indexOf(dice.sentences[0].slice(0, 20)));
  });

  it('takes experiments registered by other modules, and rejects unknown ids', async () => {
    registerExperiment({
      id: 'toy-gaussian',
      title: 'toy',
      claim: 'a registered experiment runs like the built-in ones',
      configs: () => [resolveConfig('gaussian', { generations: 4, samplesPerGeneration: 20, heldOutSize: 100 })],
      findings: (groups) => ({
        sentences: [`ran ${groups[0].runs[0].metrics.length} generations`],
        table: { headers: ['x'], rows: [['1']] },
      }),
    });
    const result = await reproduce({ only: ['toy-gaussian'], out: tmp() });
    expect(result.experiments[0].sentences).toEqual(['ran 4 generations']);
    expect(result.experiments[0].skipped).toBeUndefined();
    await expect(reproduce({ only: ['nope'], out: tmp() })).rejects.toThrow(UsageError);
  });

  it('skips an experiment whose data are missing, says why, and still writes the report', async () => {
    const missing = path.join(tmp(), 'no-such-points.csv');
    registerExperiment({
      id: 'toy-missing-data',
      title: 'needs a file that is not there',
      claim: 'never runs',
      configs: () => [
        resolveConfig('gmm', { generations: 3, samplesPerGeneration: 50, real: { type: 'file', path: missing } }),
      ],
      findings: () => {
        throw new Error('findings of a skipped experiment must not be computed');
      },
      claims: [
        {
          claim: 'a claim of a family that cannot run',
          source: 'this test',
          bar: 'never measured',
          measure: () => {
            throw new Error('claims of a skipped experiment must not be measured');
          },
        },
      ],
    });
    const out = tmp();
    const result = await reproduce({ only: ['toy-missing-data', 'toy-gaussian'], out });
    expect(result.experiments[0].skipped).toContain('no-such-points.csv');
    expect(result.experiments[1].sentences).toEqual(['ran 4 generations']);
    const html = fs.readFileSync(result.report, 'utf8');
    expect(html).toMatch(/<p class="skipped">Skipped: [^<]*no-such-points\.csv/);
    expect(html).toContain('1 of 2 experiments');
    // Its claim stays in the table, as not run.
    const row = result.claims.find((c) => c.claim === 'a claim of a family that cannot run');
    expect(row?.pass).toBeNull();
    expect(row?.measured).toMatch(/^not run: .*no-such-points\.csv/);
    expect(html).toMatch(/a claim of a family that cannot run<\/td>(<td>[^<]*<\/td>)*<td>not run<\/td>/);
  });

  it('phrases ratios as percentages', () => {
    expect([share(0.853), share(0.031), share(0.00052), share(2e-11)]).toEqual(['85%', '3.1%', '0.052%', '2.0e-9%']);
  });
});

describe('the mitigations experiment', () => {
  it('runs every mitigation on one seed and tabulates final figures per policy', async () => {
    const { mitigationsExperiment } = await import('./paper/mitigations.js');
    const configs = mitigationsExperiment.configs(true);
    expect(new Set(configs.map((c) => c.seed))).toEqual(new Set([1]));
    expect(configs.map((c) => c.policy.type)).toEqual([
      'replace',
      'mix',
      'accumulate',
      'web',
      'web',
      'filter',
      'filter',
      'filter',
      'filter',
    ]);
    const out = tmp();
    const result = await reproduce({ out, quick: true, only: ['mitigations'] });
    const [section] = result.experiments;
    expect(section.table.rows.map((r) => r[0])).toEqual([
      'replace',
      'mix 10%',
      'accumulate',
      'web',
      'web snapshot',
      'filter',
      'filter + feedback',
      'filter + feedback (pi-v1)',
      'filter importance',
    ]);
    // Replace collapses, mix keeps the variance near its true value of 1: the table says so, and so does the text.
    const variance = (label: string) => Number(section.table.rows.find((r) => r[0] === label)?.[1]);
    expect(variance('replace')).toBeLessThan(0.2);
    expect(Math.abs(variance('mix 10%') - 1)).toBeLessThan(0.3);
    expect(section.sentences[0]).toContain(`was ${section.table.rows[0][1]} under replace`);
  });
});
