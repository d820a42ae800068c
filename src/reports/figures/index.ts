/**
 * Which figures a run gets: its family's own (registered here by family name) followed by the generic metric
 * curves. Families that land later (a neural engine) call registerFigures, or get the generic curves alone. A
 * family may also add report sections of plain HTML, for what is no figure (the n-gram model's text).
 */
import type { RunGroup } from '../groups.js';
import type { Section } from '../html.js';
import type { Figure } from '../plot.js';
import type { RunData } from '../run-data.js';
import { categoricalFigures } from './categorical.js';
import { gaussianFigures } from './gaussian.js';
import { compareMetricCurves, metricCurves } from './generic.js';
import { gmmFigures } from './gmm.js';
import { ngramFigures } from './ngram.js';

export interface FamilyFigures {
  /** Figures of one run, shown before the generic metric curves. */
  run?(run: RunData): Figure[];
  /** Figures overlaying several groups of runs of this family. */
  compare?(groups: readonly RunGroup[]): Figure[];
  /** Sections of one run's report after its figures: tables, generated text. */
  sections?(run: RunData): Section[];
}

const BUILDERS = new Map<string, FamilyFigures>([
  ['gmm', gmmFigures],
  ['gaussian', gaussianFigures],
  ['categorical', categoricalFigures],
  ['ngram', ngramFigures],
]);

export function registerFigures(family: string, figures: FamilyFigures): void {
  BUILDERS.set(family, figures);
}

export function runFigures(run: RunData): Figure[] {
  return [...(BUILDERS.get(run.config.family.type)?.run?.(run) ?? []), metricCurves(run)];
}

export function runSections(run: RunData): Section[] {
  return BUILDERS.get(run.config.family.type)?.sections?.(run) ?? [];
}

/** Family figures when every run is of one family; the shared metrics overlaid in any case. */
export function compareFigures(groups: readonly RunGroup[]): Figure[] {
  const families = new Set(groups.flatMap((g) => g.runs.map((r) => r.config.family.type)));
  const own = families.size === 1 ? (BUILDERS.get([...families][0])?.compare?.(groups) ?? []) : [];
  return [...own, compareMetricCurves(groups)];
}
