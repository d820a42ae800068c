/**
 * The figures' shared look, merged into every spec before it is drawn: by the PNG renderer (plot.ts) and by the
 * web UI's vega-embed. It imports nothing, so the browser bundle can take it.
 */
/** Shared look: readable at slide size, white background so PNGs paste anywhere. */
const CONFIG = {
  background: 'white',
  // No per-mark ARIA labels: thousands of scatter points would triple the SVG; figures carry a caption instead.
  aria: false,
  font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** The spec as every view draws it, with the shared look. */
export function withLook(spec: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...spec, config: { ...CONFIG, ...((spec.config as object) ?? {}) } };
}
