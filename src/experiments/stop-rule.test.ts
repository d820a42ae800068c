import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetWatch, budgetBeforeStart } from './budget.js';
import { resolveConfig, resumeExperiment, runExperiment } from './run.js';
import { parseStopRule, ruleMet } from './stop-rule.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-stop-'));

describe('stopWhen', () => {
  it('parses rules and names what is wrong with a bad one', () => {
    expect(parseStopRule(' variance <= 1e-12 ')).toEqual({
      metric: 'variance',
      op: '<=',
      bound: 1e-12,
      text: 'variance <= 1e-12',
    });
    expect(ruleMet(parseStopRule('w2>3'), { generation: 1, w2: 3 })).toBe(false);
    expect(ruleMet(parseStopRule('w2>=3'), { generation: 1, w2: 3 })).toBe(true);
    expect(() => parseStopRule('variance ~ 1')).toThrow(/stopWhen: expected <metric><op><number>/);
    expect(() => ruleMet(parseStopRule('varience<1'), { generation: 0, variance: 2, mean: 0 })).toThrow(
      /'varience' is not a number in this run's metrics; choose one of variance, mean/,
    );
    expect(() => resolveConfig('gaussian', { stopWhen: 'variance' })).toThrow(/stopWhen: expected <metric><op>/);
  });

  it('ends the run at the first generation that meets the rule, and a resume after a kill there adds nothing', async () => {
    const out = tmp();
    const config = resolveConfig('gaussian', {
      samplesPerGeneration: 10,
      generations: 100_000,
      stopWhen: 'variance<1e-6',
    });
    const first = await runExperiment(config, { out, report: false });
    const stopped = first.summary.stopped as { generation: number; rule: string };
    expect(stopped.rule).toBe('variance<1e-6');
    // Every generation before the stop was above the bound; the last one is below it.
    expect(first.metrics).toHaveLength(stopped.generation + 1);
    expect(first.metrics.slice(0, -1).every((l) => (l.variance as number) >= 1e-6)).toBe(true);
    expect(first.metrics.at(-1)?.variance).toBeLessThan(1e-6);
    // The same run in memory stops at the same generation (derived randomness).
    const again = await runExperiment(config, { out: null });
    expect(again.summary.stopped).toEqual(stopped);
    // Killed after the last metrics line, before summary.json: resume finds nothing left to do.
    const dir = first.runDir as string;
    const metricsBefore = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
    fs.rmSync(path.join(dir, 'summary.json'));
    const resumed = await resumeExperiment(dir, { report: false });
    expect(resumed.summary.stopped).toEqual(stopped);
    expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).toBe(metricsBefore);
  });
});

describe('budget warnings', () => {
  it('warns before a run whose metrics lines alone pass a gigabyte, and not before a normal one', () => {
    expect(budgetBeforeStart(1e9)).toMatch(/1,000,000,000 generations: .* at least 100 GB/);
    expect(budgetBeforeStart(2000)).toBeUndefined();
  });

  it('extrapolates the measured pace and growth once the first generation is out of the way', () => {
    const dir = tmp();
    let now = 0;
    const clock = performance.now;
    performance.now = () => now;
    try {
      const watch = new BudgetWatch(dir, 1_000_000);
      now = 60_000; // a slow first generation (start-up) must not count
      expect(watch.observe(0)).toBeUndefined();
      fs.writeFileSync(path.join(dir, 'grown'), Buffer.alloc(10_000)); // 10 kB over the next 10 generations
      now = 66_000;
      const notice = watch.observe(10) as string;
      // 0.6 s (1.7 generations/s) and 1 kB a generation, 999,989 generations left: ~6.9 days and ~1 GB.
      expect(notice).toMatch(
        /\(1\.7 generations\/s, 1\.0 KB a generation\), this run needs about 7 days and 1\.0 GB more/,
      );
      expect(watch.observe(11)).toBeUndefined(); // said once
      const quick = new BudgetWatch(dir, 100);
      now = 70_000;
      quick.observe(0);
      now = 80_000;
      expect(quick.observe(50)).toBeUndefined(); // 10 s left: nothing to say
    } finally {
      performance.now = clock;
    }
  });
});
