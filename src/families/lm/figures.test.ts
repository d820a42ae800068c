import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { readRun } from '../../core/run-store.js';
import type { ExperimentInput } from '../../experiments/config.js';
import { runExperiment } from '../../experiments/run.js';
import { escapeHtml } from '../../plots/html.js';
import { buildComparisonReport } from '../../reports/compare.js';
import { runFigures } from '../../reports/figures.js';
import { concatPanels, svgTexts, tempDir } from '../../reports/test-helpers/fixtures.js';
import { compareLmFigure, firstMiddleLast, histogramRows } from './figures.js';

const out = tempDir();
/** Opens every line, so every prompt and most continuations hold text that must be escaped. */
const MARKUP = '<b>R&D</b>';

/** Lines of words from a context-dependent Zipfian chain (as in experiments/lm.test.ts), each after MARKUP. */
function writeCorpus(file: string, lines: number, types: number): void {
  const rng = new Rng(1);
  const text: string[] = [];
  let prev = 0;
  for (let l = 0; l < lines; l++) {
    const words = [MARKUP];
    for (let i = 0; i < 11; i++) {
      prev = (Math.floor(types * rng.uniform() ** 4) + prev * 31) % types;
      words.push(`w${prev}`);
    }
    text.push(` ${words.join(' ')} `);
  }
  fs.writeFileSync(file, `${text.join('\n')}\n`);
}

const corpus = path.join(out, 'corpus.txt');
let replace: string;
let accumulate: string;

beforeAll(async () => {
  writeCorpus(corpus, 1300, 600);
  // 1,170 training lines × 13 tokens = 15,210 tokens: 237 blocks of 64.
  const config = (policy: 'replace' | 'accumulate'): ExperimentInput => ({
    name: `ngram-${policy}`,
    seed: 2,
    generations: 5,
    samplesPerGeneration: 230,
    policy: { type: policy },
    family: { type: 'ngram', order: 3 },
    real: { type: 'text', path: corpus },
    snapshotGenerations: [0, 2, 4],
  });
  replace = (await runExperiment(config('replace'), { out })).runDir as string;
  accumulate = (await runExperiment(config('accumulate'), { out })).runDir as string;
});

const report = () => fs.readFileSync(path.join(replace, 'report.html'), 'utf8');
const figureSvg = (html: string, id: string) => {
  const m = new RegExp(`<figure id="${id}"[\\s\\S]*?(<svg[\\s\\S]*?</svg>)`).exec(html);
  if (!m) throw new Error(`figure ${id} not in report`);
  return m[1];
};
const figureCaption = (html: string, id: string) =>
  new RegExp(`<figure id="${id}"[\\s\\S]*?<figcaption>([\\s\\S]*?)</figcaption>`).exec(html)?.[1] ?? '';

describe('ngram run reports', () => {
  it('shows test perplexity, the synthetic perplexity distribution and vocabulary, each with its PNG', () => {
    expect(runFigures(readRun(replace)).map((f) => f.id)).toEqual([
      'lm-test-perplexity',
      'lm-synthetic-perplexity',
      'lm-vocabulary',
      'metrics',
    ]);
    for (const id of ['lm-test-perplexity', 'lm-synthetic-perplexity', 'lm-vocabulary']) {
      const png = fs.readFileSync(path.join(replace, 'figures', `${id}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
    const texts = svgTexts(figureSvg(report(), 'lm-test-perplexity'));
    expect(texts).toEqual(expect.arrayContaining(['test perplexity (real text)', 'perplexity', 'generation']));
  });

  it("the paper's figure: histograms of generations 0, middle and last on a log axis, and the quantile band", () => {
    const html = report();
    const svg = figureSvg(html, 'lm-synthetic-perplexity');
    expect(concatPanels(svg)).toBe(2);
    const texts = svgTexts(svg);
    expect(texts).toEqual(
      expect.arrayContaining([
        'per-block perplexity, histogram',
        'per-block perplexity, quantiles',
        'perplexity under the generation-0 model',
        'share of blocks',
        'perplexity (log scale)',
        'P05–P95',
        'P25–P75',
        'median (P50)',
      ]),
    );
    expect(texts.filter((t) => /^generation \d+$/.test(t))).toEqual(['generation 0', 'generation 2', 'generation 4']);
    // A filled step outline per chosen generation; the quantiles' two bands and their median line.
    const marks = (kind: string, panel: number) =>
      svg.match(new RegExp(`mark-${kind} role-mark concat_${panel}_`, 'g'));
    expect(marks('area', 0)).toHaveLength(3);
    expect(marks('line', 0)).toHaveLength(3);
    expect(marks('area', 1)).toHaveLength(2);
    expect(marks('line', 1)).toHaveLength(1);
    // The caption's numbers are the run's.
    const metrics = readRun(replace).metrics;
    const p50 = (g: number) => String(Number((metrics[g].syntheticPerplexityP50 as number).toPrecision(3)));
    expect(figureCaption(html, 'lm-synthetic-perplexity')).toContain(
      `the median went from ${p50(0)} at generation 0 to ${p50(4)} at generation 4`,
    );
  });

  it('vocabulary: types present, rare types still produced, distinct-1/2/3', () => {
    const svg = figureSvg(report(), 'lm-vocabulary');
    expect(concatPanels(svg)).toBe(3);
    expect(svgTexts(svg)).toEqual(
      expect.arrayContaining([
        'word types in the synthetic text',
        'real data’s rare types still produced',
        'distinct-1',
        'distinct-2',
        'distinct-3',
      ]),
    );
  });

  it('the continuations table: the prompt, then one column per snapshot generation, every text escaped', () => {
    const html = report();
    const section = /<h2>Continuations of fixed prompts<\/h2>[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    const rows = [...section.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
    const headers = [...rows[0].matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(['prompt', 'generation 0', 'generation 2', 'generation 4']);
    const cells = rows.slice(1).map((r) => [...r.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]));
    expect(cells).toHaveLength(3); // the family's default three fixed prompts
    for (const row of cells) expect(row).toHaveLength(4);
    // Cells hold the snapshots' text, escaped; markup from the corpus never reaches the page as markup.
    const snapshot = readRun(replace).snapshot(2)?.model.continuations as { prompt: string; continuation: string }[];
    expect(cells[1][2]).toBe(escapeHtml(snapshot[1].continuation.trim()));
    expect(cells[0][0]).toContain('&#60;b&#62;R&#38;D&#60;/b&#62;');
    expect(html).not.toContain(MARKUP);
    expect(html).not.toMatch(/<script/i);
  });
});

describe('ngram comparison reports', () => {
  it('one figure with every panel and the last generations over generation 0, first (reproduce shows it alone)', async () => {
    const written = await buildComparisonReport([replace, accumulate], path.join(out, 'cmp'));
    expect(written.figures.map((f) => f.id)).toEqual(['lm-compare', 'compare-metrics']);
    const svg = written.figures[0].svg;
    expect(concatPanels(svg)).toBe(7);
    expect(svgTexts(svg)).toEqual(
      expect.arrayContaining([
        'test perplexity (real text)',
        'test perplexity per word',
        'per-block perplexity, median',
        'per-block perplexity, last generation',
        'replace',
        'accumulate',
        'generation 0',
        'replace, generation 4',
        'accumulate, generation 4',
      ]),
    );
  });
});

describe('ngram figure helpers', () => {
  it('leaves the histogram out of a comparison of many configurations, and says so', () => {
    const run = readRun(replace);
    const groups = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `config ${i}`, runs: [run] }));
    const few = compareLmFigure(groups(4));
    const many = compareLmFigure(groups(5));
    if (!few || !many) throw new Error('no comparison figure');
    expect(JSON.stringify(few.spec)).toContain('per-block perplexity, last generation');
    expect(JSON.stringify(many.spec)).not.toContain('per-block perplexity, last generation');
    expect(many.spec.concat as unknown[]).toHaveLength(6);
    expect(many.caption).toMatch(/more than 4 configurations/);
  });

  it('picks generation 0, the middle and the last, once each', () => {
    expect(firstMiddleLast([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual([0, 4, 9]);
    expect(firstMiddleLast([0, 1])).toEqual([0, 1]);
    expect(firstMiddleLast([0])).toEqual([0]);
    expect(firstMiddleLast([])).toEqual([]);
  });

  it('histogram steps: the shared support only, and the last bin closed at its right edge', () => {
    const edges = [1, 2, 4, 8, 16, 32];
    const rows = histogramRows([
      { series: 'a', edges, shares: [0, 0.5, 0.5, 0, 0] },
      { series: 'b', edges, shares: [0, 0, 0.25, 0.75, 0] },
    ]);
    expect(rows.filter((r) => r.series === 'a')).toEqual([
      { series: 'a', perplexity: 2, share: 0.5 },
      { series: 'a', perplexity: 4, share: 0.5 },
      { series: 'a', perplexity: 8, share: 0 },
      { series: 'a', perplexity: 16, share: 0 },
    ]);
    expect(rows.filter((r) => r.series === 'b').map((r) => r.share)).toEqual([0, 0.25, 0.75, 0.75]);
  });
});
