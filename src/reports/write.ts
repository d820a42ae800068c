/** Writes a report folder: report.html plus figures/<id>.png for every figure in it. */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';
import { figureHtml, page, type Section } from '../plots/html.js';
import { type Figure, type RenderedFigure, renderFigures, svgToPng } from '../plots/plot.js';

export const REPORT_FILE = 'report.html';
export const FIGURES_DIR = 'figures';

export interface WrittenReport {
  readonly html: string;
  readonly pngs: string[];
  readonly figures: RenderedFigure[];
}

/** Renders `figures` (ids prefixed by `prefix` to keep names unique in one folder) as PNGs in dir/figures/. */
export async function renderAndSave(dir: string, figures: readonly Figure[], prefix = ''): Promise<RenderedFigure[]> {
  const rendered = await renderFigures(figures.map((f) => ({ ...f, id: `${prefix}${f.id}` })));
  fs.mkdirSync(path.join(dir, FIGURES_DIR), { recursive: true });
  for (const f of rendered) writeFileAtomic(path.join(dir, FIGURES_DIR, `${f.id}.png`), svgToPng(f.svg));
  return rendered;
}

export function figuresHtml(figures: readonly RenderedFigure[]): string {
  return figures.map((f) => figureHtml(f, `${FIGURES_DIR}/${f.id}.png`)).join('\n');
}

export function writePage(dir: string, title: string, subtitle: string, sections: readonly Section[]): string {
  const file = path.join(dir, REPORT_FILE);
  writeFileAtomic(file, page(title, subtitle, sections));
  return file;
}
