import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { run as compareCommand } from '../cli/commands/compare.js';
import { RunFolderError } from '../core/errors.js';
import { readRun } from '../core/run-store.js';
import { summariesOf } from '../experiments/executor.js';
import { localExecutor } from '../experiments/executors/local.js';
import { resolveConfig, seedConfigs } from '../experiments/run.js';
import { groupRuns } from '../plots/groups.js';
import { buildComparisonReport } from './compare.js';
import { concatPanels, fixtureRun, svgTexts, tempDir } from './test-helpers/fixtures.js';

const out = tempDir();
let seeded: string[];
let mixed: string;

beforeAll(async () => {
  // Two seeds of one config through the local executor (in this thread: tests run the TypeScript sources, no
  // worker file).
  const config = resolveConfig('gaussian', { generations: 30, samplesPerGeneration: 50, heldOutSize: 500 });
  const summaries = summariesOf(await localExecutor().run(seedConfigs(config, 2).map((c) => ({ config: c, out }))));
  seeded = summaries.map((s) => s.runDir as string);
  mixed = await fixtureRun('gaussian', out, { policy: { type: 'mix', realFraction: 0.1 } });
});

describe('comparison reports', () => {
  it('the executor runs each seed into its own folder, in order', () => {
    expect(seeded.map((d) => readRun(d).config.seed)).toEqual([1, 2]);
    expect(readRun(seeded[0]).metrics).not.toEqual(readRun(seeded[1]).metrics);
  });

  it('groups runs by config: seeds of one config together, labelled by what differs', () => {
    const groups = groupRuns([...seeded, mixed].map(readRun));
    expect(groups.map((g) => g.label)).toEqual(['replace (2 seeds)', 'mix 10% real']);
    expect(groups[0].runs).toHaveLength(2);
  });

  it('overlays the groups with the seed band, theory, and a final-numbers table', async () => {
    const dir = path.join(out, 'cmp');
    const report = await buildComparisonReport([...seeded, mixed], dir);
    const svg = report.figures.find((f) => f.id === 'gaussian-compare')?.svg as string;
    expect(concatPanels(svg)).toBe(2);
    expect(svgTexts(svg)).toEqual(
      expect.arrayContaining(['replace (2 seeds)', 'mix 10% real', 'theory (M=50)', 'variance', 'W2']),
    );
    const html = fs.readFileSync(report.html, 'utf8');
    // The seeded group's final variance shows its 10–90% range; the single run a bare number; the row says what
    // collapse the metric measures.
    const row =
      /<tr><td>variance \(geometric mean\)<\/td><td>the fitted variance[^<]*<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><\/tr>/.exec(
        html,
      );
    expect(row?.[1]).toBe('diversity loss');
    expect(row?.[2]).toBe('1'); // the truth: the real distribution's variance
    expect(row?.[3]).toMatch(/^\S+ \[95% CI \S+, \S+\]$/);
    expect(row?.[4]).toMatch(/^\S+$/);
    expect(html).toContain('<th>replace (2 seeds) (n = 2)</th>');
    // The geometric mean of the two seeds' final variances, as the table prints it.
    const finals = seeded.map((d) => readRun(d).metrics.at(-1)?.variance as number);
    expect(Number(row?.[3].split(' ')[0])).toBeCloseTo(Math.sqrt(finals[0] * finals[1]), 2);
    expect(html).toMatch(
      /<td>slicedWasserstein \(geometric mean\)<\/td><td>[^<]+<\/td><td>distance from the real distribution<\/td><td>0<\/td>/,
    );
    expect(report.pngs.every((p) => fs.existsSync(path.join(dir, p)))).toBe(true);
    const runs = JSON.parse(fs.readFileSync(path.join(dir, 'runs.json'), 'utf8')).runs;
    expect(runs.map((r: string) => path.resolve(dir, r))).toEqual([...seeded, mixed]);
  });

  it('`collapse-lab compare` writes the report where --out says, and names a folder that is not a run', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const dir = path.join(out, 'cli');
      expect(await compareCommand([...seeded, '--out', dir, '--title', 'two seeds'])).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<title>two seeds</title>');
      await expect(compareCommand([out, '--out', path.join(out, 'never')])).rejects.toThrow(RunFolderError);
      expect(fs.existsSync(path.join(out, 'never'))).toBe(false);
    } finally {
      write.mockRestore();
    }
  });

  it('counts a (config, seed) given twice once, with a warning naming both folders', async () => {
    const warnings: string[] = [];
    const dir = path.join(out, 'dupes');
    await buildComparisonReport([seeded[0], seeded[1], seeded[0]], dir, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      `${seeded[0]} is the same config and seed as ${seeded[0]}: counted once (a seed counted twice would narrow the band)`,
    ]);
    const runs = JSON.parse(fs.readFileSync(path.join(dir, 'runs.json'), 'utf8')).runs;
    expect(runs).toHaveLength(2);
    // curves.csv: one row per run, generation and metric, labelled by the group.
    const rows = fs.readFileSync(path.join(dir, 'curves.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('run,label,seed,generation,metric,value');
    const variance = rows.filter((r) => r.includes(',variance,'));
    expect(variance).toHaveLength(2 * 30);
    expect(variance[0]).toMatch(/^[^,]+,gaussian: replace \(2 seeds\),1,0,variance,\S+$/);
  });

  it('gives runs of different families their own sections and figures, never one overlaid panel', async () => {
    const dice = await fixtureRun('dice', out);
    const dir = path.join(out, 'families');
    const report = await buildComparisonReport([seeded[0], dice], dir);
    const html = fs.readFileSync(report.html, 'utf8');
    expect(html).toContain('Family gaussian: final numbers');
    expect(html).toContain('Family categorical: final numbers');
    expect(report.figures.map((f) => f.id.split('-')[0]).sort()).toEqual(
      expect.arrayContaining(['categorical', 'gaussian']),
    );
    // No figure mixes them: every figure belongs to one family's prefix.
    expect(report.figures.every((f) => /^(gaussian|categorical)-/.test(f.id))).toBe(true);
  });
});

describe('labels', () => {
  it("label legends by the config's own label where it has one (the mitigation runs)", async () => {
    const feedback = await fixtureRun('gaussian', out, { label: 'filter + feedback', policy: { type: 'accumulate' } });
    const groups = groupRuns([seeded[0], feedback].map(readRun));
    expect(groups.map((g) => g.label)).toEqual(['replace', 'filter + feedback']);
  });
});
