/**
 * Draws one generation's view (src/playground/views.ts) on a canvas, fast enough for every animation frame:
 * the model in blue against the truth in orange (the report's palette), on axes fixed by the truth; for the
 * VAE, its decoder's sample grid.
 */
import type { Ellipse, PlaygroundView } from '../../../src/playground/index';

const MODEL = '#0072B2';
const TRUTH = '#E69F00';
const PAD = 28;

export function drawView(canvas: HTMLCanvasElement, view: PlaygroundView): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(PAD, PAD / 2, width - PAD * 1.5, height - PAD * 1.5);
  if (view.kind === 'image') {
    image(ctx, view.src, width, height);
    return;
  }
  if (view.kind === 'histogram') histogram(ctx, view.model, view.truth, width, height);
  else if (view.kind === 'density') density(ctx, view.x, view.model, view.truth, width, height);
  else points(ctx, view.points, view.model, view.truth, width, height);
  ctx.font = '12px sans-serif';
  ctx.fillStyle = MODEL;
  ctx.fillText('model', PAD + 6, PAD / 2 + 14);
  ctx.fillStyle = TRUTH;
  ctx.fillText('truth', PAD + 56, PAD / 2 + 14);
}

/** The VAE's sample grid (a PNG data URL), scaled up in whole pixels so the digits stay sharp. */
function image(ctx: CanvasRenderingContext2D, src: string, w: number, h: number) {
  const img = new Image();
  img.onload = () => {
    const scale = Math.max(1, Math.floor(Math.min(w / img.width, h / img.height)));
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(
      img,
      (w - img.width * scale) / 2,
      (h - img.height * scale) / 2,
      img.width * scale,
      img.height * scale,
    );
  };
  img.src = src;
}

function histogram(ctx: CanvasRenderingContext2D, model: number[], truth: number[], w: number, h: number) {
  const n = Math.max(model.length, truth.length);
  const top = Math.max(...model, ...truth, 1e-12) * 1.1;
  const slot = (w - PAD * 1.5) / n;
  const y = (p: number) => h - PAD - (p / top) * (h - PAD * 1.5);
  ctx.fillStyle = MODEL;
  model.forEach((p, i) => {
    ctx.fillRect(PAD + i * slot + slot * 0.1, y(p), Math.max(1, slot * 0.8), h - PAD - y(p));
  });
  ctx.strokeStyle = TRUTH;
  ctx.lineWidth = 2;
  ctx.beginPath();
  truth.forEach((p, i) => {
    ctx.moveTo(PAD + i * slot, y(p));
    ctx.lineTo(PAD + (i + 1) * slot, y(p));
  });
  ctx.stroke();
}

function density(ctx: CanvasRenderingContext2D, x: number[], model: number[], truth: number[], w: number, h: number) {
  const top = Math.max(...truth, 1e-12) * 1.6; // fixed by the truth; a collapsing model runs off the top
  // x is increasing but not evenly spaced (a collapsed model gets extra points): place by value.
  const [x0, x1] = [x[0], x[x.length - 1]];
  const sx = (i: number) => PAD + ((x[i] - x0) / (x1 - x0)) * (w - PAD * 1.5);
  const sy = (p: number) => Math.max(PAD / 2, h - PAD - (p / top) * (h - PAD * 1.5));
  for (const [ys, color] of [
    [truth, TRUTH],
    [model, MODEL],
  ] as const) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const [i, p] of ys.entries()) {
      if (i === 0) ctx.moveTo(sx(i), sy(p));
      else ctx.lineTo(sx(i), sy(p));
    }
    ctx.stroke();
  }
}

function points(ctx: CanvasRenderingContext2D, xy: number[], model: Ellipse[], truth: Ellipse[], w: number, h: number) {
  // Axes fixed by the truth's components (± 4 sd), so a shrinking model visibly shrinks.
  const ref = truth.length ? truth : model;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const e of ref) {
    const r = 4 * Math.sqrt(Math.max(e.covariance[0], e.covariance[3]));
    lo = Math.min(lo, e.mean[0] - r, e.mean[1] - r);
    hi = Math.max(hi, e.mean[0] + r, e.mean[1] + r);
  }
  const side = Math.min(w - PAD * 1.5, h - PAD * 1.5);
  const sx = (v: number) => PAD + ((v - lo) / (hi - lo)) * side;
  const sy = (v: number) => PAD / 2 + side - ((v - lo) / (hi - lo)) * side;
  ctx.fillStyle = 'rgba(0, 114, 178, 0.45)';
  for (let i = 0; i < xy.length; i += 2) ctx.fillRect(sx(xy[i]) - 1.5, sy(xy[i + 1]) - 1.5, 3, 3);
  for (const [list, color] of [
    [truth, TRUTH],
    [model, MODEL],
  ] as const)
    for (const e of list) ellipse(ctx, e, color, sx, sy, (hi - lo) / side);
}

/** The 2-sd ellipse of a component, from its 2×2 covariance's eigen-decomposition. */
function ellipse(
  ctx: CanvasRenderingContext2D,
  e: Ellipse,
  color: string,
  sx: (v: number) => number,
  sy: (v: number) => number,
  unitsPerPixel: number,
) {
  const [a, b, , d] = e.covariance;
  const mid = (a + d) / 2;
  const diff = Math.sqrt(((a - d) / 2) ** 2 + b * b);
  const l1 = Math.max(mid + diff, 0);
  const l2 = Math.max(mid - diff, 0);
  const angle = Math.atan2(l1 - a, b || 1e-300);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.ellipse(
    sx(e.mean[0]),
    sy(e.mean[1]),
    Math.max(1, (2 * Math.sqrt(l1)) / unitsPerPixel),
    Math.max(1, (2 * Math.sqrt(l2)) / unitsPerPixel),
    -angle,
    0,
    2 * Math.PI,
  );
  ctx.stroke();
}
