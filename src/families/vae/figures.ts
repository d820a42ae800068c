/**
 * Figures for `vae`: the 10×10 sample grid of each snapshot generation (the same prior samples every time, so
 * the drift towards a few blurred prototypes is visible), the notebook's latent statistic beside its recorded
 * values, and held-out ELBO and sample variety over generations.
 */
import type { RunData } from '../../core/run-store.js';
import { type CurveRow, curvePanel, grid } from '../../plots/charts.js';
import type { RunGroup } from '../../plots/groups.js';
import type { Figure, VlSpec } from '../../plots/plot.js';
import { series } from '../../plots/series.js';

/**
 * The notebook's recorded std of the generation-0 encoder's latent means (100 prior samples; mean of 5 runs of
 * the conv VAE, 30 epochs each, on a GPU) after synthetic generations 1–5. Its printed "Gen 0" is the model
 * after one synthetic training: our generation 1.
 */
export const NOTEBOOK_LATENT_STD: readonly { generation: number; value: number }[] = [
  { generation: 1, value: 0.688 },
  { generation: 2, value: 0.603 },
  { generation: 3, value: 0.534 },
  { generation: 4, value: 0.483 },
  { generation: 5, value: 0.443 },
];
export const NOTEBOOK_LABEL = 'notebook (conv VAE, 30 epochs, 5 runs, GPU)';
const MAX_GRIDS = 8;
const GRID_PX = 151; // half size: ten 28-px digits stay legible

function gridGenerations(run: RunData): number[] {
  const withGrid = run.snapshotGenerations.filter((g) => typeof run.snapshot(g)?.model.sampleGrid === 'string');
  if (withGrid.length <= MAX_GRIDS) return withGrid;
  return Array.from(
    { length: MAX_GRIDS },
    (_, i) => withGrid[Math.round((i * (withGrid.length - 1)) / (MAX_GRIDS - 1))],
  );
}

export function sampleGridFigure(run: RunData): Figure | undefined {
  const generations = gridGenerations(run);
  if (generations.length === 0) return undefined;
  const panels: VlSpec[] = generations.map((g) => ({
    title: `generation ${g}`,
    width: GRID_PX,
    height: GRID_PX,
    data: { values: [{ url: run.snapshot(g)?.model.sampleGrid, x: 0.5, y: 0.5 }] },
    mark: { type: 'image', width: GRID_PX, height: GRID_PX },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
      y: { field: 'y', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
      url: { field: 'url', type: 'nominal' },
    },
  }));
  return {
    id: 'vae-samples',
    title: 'Samples by generation',
    caption:
      'Decoder means of the same 100 prior samples z ~ N(0, I) at each snapshot generation. Under recursive training the digits lose their variety and drift towards a few blurred prototypes.',
    spec: { concat: panels, columns: 4, spacing: 12, config: { view: { stroke: null } } },
  };
}

function ours(run: RunData, metric: string, label: string): CurveRow[] {
  return series(run.metrics, metric).map((p) => ({ ...p, series: label }));
}

function notebookRows(): CurveRow[] {
  return NOTEBOOK_LATENT_STD.map((p) => ({ ...p, series: NOTEBOOK_LABEL }));
}

function settingsNote(run: RunData): string {
  const f = run.config.family;
  return `${f.architecture ?? 'conv'} VAE, ${f.epochs ?? 30} epochs, ${f.data ?? 'fixed'} data, ${run.config.samplesPerGeneration.toLocaleString('en-US')} images per generation`;
}

export function latentFigure(run: RunData): Figure {
  const probe = (run.config.family.latentProbe as number | undefined) ?? 10_000;
  return {
    id: 'vae-latent-std',
    title: "The notebook's measure: std of generation 0's latent means of each generation's samples",
    caption: `This run: ${settingsNote(run)}. The notebook's values need its settings: fewer epochs or images collapse faster, so only the trend compares across settings.`,
    spec: curvePanel({
      title: 'latent std (generation-0 encoder)',
      yTitle: null,
      rows: [
        ...ours(run, 'latentStd', `this run, ${probe.toLocaleString('en-US')} prior samples`),
        ...ours(run, 'latentStd100', 'this run, 100 prior samples'),
        ...notebookRows(),
      ],
      dashed: [NOTEBOOK_LABEL],
      width: 420,
    }),
  };
}

export function qualityFigure(run: RunData): Figure {
  const panel = (metric: string, title: string) => curvePanel({ title, yTitle: null, rows: ours(run, metric, metric) });
  return {
    id: 'vae-quality',
    title: 'Held-out ELBO and sample variety',
    caption:
      'ELBO per image on the real MNIST test set (higher is better) with its reconstruction (BCE) and KL terms, and the variety of each generation’s samples.',
    spec: grid([
      panel('testElbo', 'test ELBO (nats/image)'),
      panel('testBce', 'test BCE'),
      panel('testKl', 'test KL'),
      panel('meanPairwiseDistance', 'mean pairwise distance'),
      panel('pixelVariance', 'per-pixel variance'),
    ]),
  };
}

/** Which digits each generation's samples are, by the MNIST classifier (runs with the classifier on). */
export function digitFigure(run: RunData): Figure | undefined {
  const rows = run.metrics.flatMap((m) =>
    Array.isArray(m.digitShares)
      ? (m.digitShares as readonly number[]).map((share, digit) => ({ generation: m.generation, digit, share }))
      : [],
  );
  if (rows.length === 0) return undefined;
  const panel = (metric: string, title: string) => curvePanel({ title, yTitle: null, rows: ours(run, metric, metric) });
  return {
    id: 'vae-digits',
    title: 'Which digits survive: the MNIST classifier on each generation’s samples',
    caption:
      'Share of each digit among the samples (the classifier is trained once on real MNIST, ≥ 98% test accuracy), the entropy of those shares (log₂ 10 ≈ 3.32 bits when all ten are equally common), the classifier’s mean confidence, and the Fréchet distance between the samples’ and real test images’ classifier features: FID-like (MNIST classifier features), not Inception FID.',
    spec: {
      vconcat: [
        {
          title: 'digit shares',
          width: 900, // as wide as the three panels below, so the colour legend sits beside the map
          height: 180,
          data: { values: rows },
          mark: 'rect',
          encoding: {
            x: { field: 'generation', type: 'ordinal' },
            y: { field: 'digit', type: 'ordinal', sort: 'descending' },
            color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domainMin: 0 } },
            tooltip: [{ field: 'share', format: '.3f' }],
          },
        },
        grid([
          panel('digitEntropy', 'digit entropy (bits)'),
          panel('classifierConfidence', 'classifier confidence'),
          panel('fidLike', 'FID-like (MNIST classifier features)'),
        ]),
      ],
    },
  };
}

/** Student's t 97.5% quantiles for 1..30 degrees of freedom (beyond: the normal's 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** A group's mean over seeds per generation, with the 95% confidence interval of that mean as its band. */
export function meanWithInterval(group: RunGroup, metric: string): CurveRow[] {
  const byGeneration = new Map<number, number[]>();
  for (const run of group.runs)
    for (const { generation, value } of series(run.metrics, metric)) {
      if (value === null || !Number.isFinite(value)) continue;
      byGeneration.set(generation, [...(byGeneration.get(generation) ?? []), value]);
    }
  return [...byGeneration.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([generation, xs]) => {
      const n = xs.length;
      const mean = xs.reduce((a, b) => a + b, 0) / n;
      if (n < 2) return { generation, value: mean, series: group.label };
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
      const half = (T975[n - 2] ?? 1.96) * (sd / Math.sqrt(n));
      return { generation, value: mean, series: group.label, lo: mean - half, hi: mean + half };
    });
}

export function compareLatentFigure(groups: readonly RunGroup[]): Figure {
  return {
    id: 'vae-compare',
    title: 'Latent std and variety over generations, compared',
    caption: 'Mean over seeds with its 95% confidence interval (Student t) as the band.',
    spec: grid([
      curvePanel({
        title: 'latent std (generation-0 encoder)',
        yTitle: null,
        rows: [...groups.flatMap((g) => meanWithInterval(g, 'latentStd')), ...notebookRows()],
        dashed: [NOTEBOOK_LABEL],
      }),
      curvePanel({
        title: 'mean pairwise distance',
        yTitle: null,
        rows: groups.flatMap((g) => meanWithInterval(g, 'meanPairwiseDistance')),
      }),
      curvePanel({ title: 'test ELBO', yTitle: null, rows: groups.flatMap((g) => meanWithInterval(g, 'testElbo')) }),
    ]),
  };
}

export const vaeFigures = {
  run: (run: RunData): Figure[] => {
    const samples = sampleGridFigure(run);
    const digits = digitFigure(run);
    return [...(samples ? [samples] : []), latentFigure(run), qualityFigure(run), ...(digits ? [digits] : [])];
  },
  compare: (groups: readonly RunGroup[]): Figure[] => [compareLatentFigure(groups)],
};
