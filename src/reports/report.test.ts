import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRun } from '../core/run-store.js';
import { digamma, theoryRows, trigamma } from '../families/gaussian/figures.js';
import { chooseGenerations, ellipse } from '../families/gmm/figures.js';
import { thinRows } from '../plots/charts.js';
import { renderSvg, svgToPng } from '../plots/plot.js';
import { runFigures } from './figures.js';
import { buildRunReport } from './report.js';
import { concatPanels, fixtureRun, svgTexts, tempDir } from './test-helpers/fixtures.js';

const out = tempDir();
let gmm: string;
let gaussian: string;
let dice: string;

beforeAll(async () => {
  gmm = await fixtureRun('gmm', out);
  gaussian = await fixtureRun('gaussian', out);
  dice = await fixtureRun('dice', out);
});

const figureSvg = (html: string, id: string) => {
  const m = new RegExp(`<figure id="${id}"[\\s\\S]*?(<svg[\\s\\S]*?</svg>)`).exec(html);
  if (!m) throw new Error(`figure ${id} not in report`);
  return m[1];
};

describe('run reports', () => {
  it('every finished run folder holds report.html and a PNG per figure', () => {
    for (const dir of [gmm, gaussian, dice]) {
      const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
      const ids = [...html.matchAll(/<figure id="([^"]+)"/g)].map((m) => m[1]);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      for (const id of ids) {
        const png = fs.readFileSync(path.join(dir, 'figures', `${id}.png`));
        expect(png.subarray(1, 4).toString()).toBe('PNG');
      }
    }
  });

  it('is self-contained: no scripts, no external links or stylesheets', () => {
    const html = fs.readFileSync(path.join(gmm, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(html).toContain('"type": "gmm"'); // the resolved config is in it
  });

  it('gmm: one sample panel per snapshot with both components, and the three collapse curves', () => {
    const html = fs.readFileSync(path.join(gmm, 'report.html'), 'utf8');
    const samples = svgTexts(figureSvg(html, 'gmm-samples'));
    expect(samples.filter((t) => /^generation \d+$/.test(t))).toEqual(['generation 0', 'generation 2', 'generation 5']);
    expect(samples).toEqual(expect.arrayContaining(['x₁', 'x₂', 'component 1', 'component 2', 'fitted 2σ ellipse']));
    const collapse = figureSvg(html, 'gmm-collapse');
    expect(concatPanels(collapse)).toBe(3);
    expect(svgTexts(collapse)).toEqual(
      expect.arrayContaining(['total variance', 'sliced W2 to real data', 'held-out log-likelihood', 'generation']),
    );
  });

  it('generic metric curves: one panel per metric that changes, constants named in the caption', () => {
    const html = fs.readFileSync(path.join(gmm, 'report.html'), 'utf8');
    const run = readRun(gmm);
    const changing = ['totalVariance', 'l2ToGenerationZero', 'l2ToTruth', 'heldOutLogLikelihood', 'slicedWasserstein'];
    const svg = figureSvg(html, 'metrics');
    expect(concatPanels(svg)).toBe(
      Object.keys(run.metrics[0]).filter((k) => k !== 'generation' && new Set(run.metrics.map((m) => m[k])).size > 1)
        .length,
    );
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(changing));
    // Each panel says which collapse its metric measures (docs/definitions.md).
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['diversity loss', 'real-data loss']));
    expect(html).toMatch(/Constant over the run: trainSize = 200/);
  });

  it('gaussian: the observed variance against the theory curve, W₂² against its own beside it', () => {
    const html = fs.readFileSync(path.join(gaussian, 'report.html'), 'utf8');
    const svg = figureSvg(html, 'gaussian-variance');
    expect(concatPanels(svg)).toBe(2);
    expect(svgTexts(svg)).toEqual(
      expect.arrayContaining([
        'variance',
        'W₂²',
        'this run (seed 1)',
        'theory E[σ²ₙ]',
        'W₂², this run (seed 1)',
        'theory E[W₂²]',
        'W₂² to the real distribution',
      ]),
    );
    expect(svg).toContain('stroke-dasharray="5,3"'); // theory is dashed
  });

  it('categorical: one line per outcome, support size and TV', () => {
    const html = fs.readFileSync(path.join(dice, 'report.html'), 'utf8');
    const probabilities = svgTexts(figureSvg(html, 'categorical-probabilities'));
    expect(probabilities.filter((t) => t.startsWith('outcome '))).toHaveLength(6);
    expect(probabilities).toContain('probability');
    const support = figureSvg(html, 'categorical-support');
    expect(concatPanels(support)).toBe(2);
    expect(svgTexts(support)).toEqual(expect.arrayContaining(['support size', 'total variation from the truth']));
  });

  it('an unknown family falls back to generic curves for every numeric metric', async () => {
    const dir = path.join(out, 'ngram-run');
    fs.mkdirSync(dir);
    const config = {
      name: 'ngram',
      seed: 1,
      generations: 3,
      samplesPerGeneration: 10,
      family: { type: 'ngram' },
      policy: { type: 'replace' },
      real: { type: 'file' },
    };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const lines = [0, 1, 2].map((g) => ({
      generation: g,
      perplexity: 10 + g * 5,
      distinctNgrams: 100 - g,
      counts: [1, 2],
    }));
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    expect(runFigures(readRun(dir)).map((f) => f.id)).toEqual(['metrics']);
    const report = await buildRunReport(dir);
    const svg = report.figures[0].svg;
    expect(concatPanels(svg)).toBe(2);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['perplexity', 'distinctNgrams']));
    expect(fs.readFileSync(report.html, 'utf8')).toContain('(unfinished run)');
  });
});

describe('plot and figure helpers', () => {
  it('renders a spec to SVG and PNG', async () => {
    const svg = await renderSvg({
      data: { values: [{ a: 1, b: 2 }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative', title: 'alpha' }, y: { field: 'b', type: 'quantitative' } },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svgTexts(svg)).toContain('alpha');
    // Geometry is rounded, labels never are.
    const tiny = await renderSvg({
      data: { values: [{ a: 0.000123456, b: 1 }] },
      mark: 'text',
      encoding: { text: { field: 'a' }, x: { field: 'b', type: 'quantitative' } },
    });
    expect(svgTexts(tiny)).toContain('0.000123456');
    expect(tiny).not.toMatch(/(transform|d)="[^"]*\.\d{3}/);
    const png = svgToPng(svg);
    expect(png.readUInt32BE(16)).toBeGreaterThan(0); // IHDR width
  });

  it('thinning keeps a spike and the last point', () => {
    const rows = Array.from({ length: 5000 }, (_, g) => ({ generation: g, value: g === 1234 ? 99 : 1, series: 's' }));
    const thin = thinRows(rows, 100);
    expect(thin.length).toBeLessThanOrEqual(101);
    expect(thin.some((r) => r.value === 99)).toBe(true);
    expect(thin[thin.length - 1].generation).toBe(4999);
  });

  it('gaussian theory: digamma, trigamma and E[σ²ₙ] = σ²((M−1)/M)^(n)', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 10);
    expect(trigamma(1)).toBeCloseTo(Math.PI ** 2 / 6, 10);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 10);
    const rows = theoryRows({ variance: 2, realSize: 100, samples: 100, estimator: 'mle' }, 51);
    expect(rows[50].value).toBeCloseTo(2 * 0.99 ** 51, 12);
    // The typical path lies below the mean: the band's centre (geometric) is under E[σ²ₙ].
    expect(Math.sqrt((rows[50].lo as number) * (rows[50].hi as number))).toBeLessThan(rows[50].value as number);
  });

  it('gmm: the paper generations where snapshots exist, and 2σ ellipses', () => {
    expect(chooseGenerations([0, 50, 100, 150, 200, 350, 2000, 2001])).toEqual([0, 50, 100, 150, 200, 350, 2000]);
    expect(chooseGenerations([0, 1, 4, 16])).toEqual([0, 1, 4, 16]);
    const pts = ellipse([1, 2], [4, 0, 0, 1], 2);
    expect(pts[0][0]).toBeCloseTo(1 + 2 * 2, 12); // 2σ along x, σ = 2
    expect(Math.max(...pts.map((p) => p[1]))).toBeCloseTo(2 + 2, 2);
  });
});
