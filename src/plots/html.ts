/**
 * The report page: one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched), so it opens
 * from disk, survives being mailed, and renders the same offline.
 */
import type { RenderedFigure } from './plot.js';

export interface Section {
  readonly title: string;
  /** Trusted HTML built with the helpers below. */
  readonly html: string;
}

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:1180px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem;margin-top:1.6rem}.sub{color:#666;margin-top:0}
figure{margin:1.2rem 0;overflow-x:auto}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:.9rem}
figcaption a{margin-left:.5rem}table{border-collapse:collapse;font-size:.9rem;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f5f5f5}pre{background:#f7f7f7;padding:.8rem;overflow-x:auto;font-size:.8rem}
details{margin:.8rem 0}.finding{margin:.3rem 0}.skipped{color:#a33}.wide{overflow-x:auto}
table.text th,table.text td{text-align:left;vertical-align:top}table.text td{white-space:pre-wrap;min-width:14rem;font-size:.85rem}
`;

/** Escapes text content; attribute values also need their quotes escaped (escapeAttr). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function escapeAttr(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, subtitle: string, sections: readonly Section[]): string {
  const body = sections.map((s) => `<section>\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(subtitle)}</p>
${body}
</body>
</html>
`;
}

/** An inline figure with its caption and a link to its PNG (relative, so the folder can move). */
export function figureHtml(figure: RenderedFigure, pngHref?: string): string {
  const link = pngHref ? `<a href="${escapeAttr(pngHref)}">PNG</a>` : '';
  const caption = figure.caption ? escapeHtml(figure.caption) : '';
  // Vega's SVG carries no XML prolog, so it inlines as is.
  return `<figure id="${escapeAttr(figure.id)}" data-figure="${escapeAttr(figure.id)}">
<h3>${escapeHtml(figure.title)}</h3>
${figure.svg}
<figcaption>${caption}${link}</figcaption>
</figure>`;
}

/** className 'text': left-aligned cells that keep line breaks, for generated text. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], className?: string): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  const open = className ? `<table class="${escapeAttr(className)}">` : '<table>';
  return `${open}\n${head}\n${body}\n</table>`;
}

export function jsonBlock(value: unknown, summary: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary><pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre></details>`;
}

export function paragraphs(lines: readonly string[], className = 'finding'): string {
  return lines.map((l) => `<p class="${escapeAttr(className)}">${escapeHtml(l)}</p>`).join('\n');
}
