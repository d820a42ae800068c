/**
 * The one place that turns figures into pictures: a Vega-Lite spec is compiled to Vega, rendered headless to an
 * SVG string (no browser, no canvas, no network), and rasterised to PNG by resvg for papers and slides.
 * Families never render; they hand specs to this module through src/reports/figures/.
 */
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { withLook } from './look.js';

/**
 * A Vega-Lite spec as plain data. Builders compose it from fragments (layers, panels), which the library's
 * deep union types make awkward to type; vega-lite validates it at compile time and tests check the marks.
 */
export type VlSpec = Record<string, unknown>;

export interface Figure {
  /** File-name safe id: figures/<id>.png. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences saying what to look for. */
  readonly caption?: string;
  readonly spec: VlSpec;
}

export interface RenderedFigure extends Figure {
  readonly svg: string;
}

/** Vega-Lite warnings (e.g. a dropped non-positive value on a log axis) are expected noise here, not errors. */
const quietLogger = {
  level(): number {
    return 0;
  },
  error(...args: unknown[]) {
    throw new Error(`vega-lite: ${args.map(String).join(' ')}`);
  },
  warn() {
    return this;
  },
  info() {
    return this;
  },
  debug() {
    return this;
  },
};

export async function renderSvg(spec: VlSpec): Promise<string> {
  const vega = compile(withLook(spec) as unknown as TopLevelSpec, { logger: quietLogger as never }).spec;
  const view = new View(parse(vega), { renderer: 'none', logLevel: 0 });
  try {
    // Geometry (transform and path data, never text) to 1/100 px: invisible, and a third off the size of a
    // scatter of thousands of points.
    return (await view.toSVG()).replace(/ (transform|d)="[^"]*"/g, (attr) => attr.replace(/(\.\d\d)\d+/g, '$1'));
  } finally {
    view.finalize();
  }
}

/** Rasterises at `scale` × the SVG's size (2: crisp on slides) with the system's fonts; never fetches anything. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}

export async function renderFigures(figures: readonly Figure[]): Promise<RenderedFigure[]> {
  const out: RenderedFigure[] = [];
  for (const figure of figures) out.push({ ...figure, svg: await renderSvg(figure.spec) });
  return out;
}
