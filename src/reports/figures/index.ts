/**
 * Which figures a run gets: its family's own (registered here by family name) followed by the generic metric
 * curves. Families that land later (an n-gram LM, a neural engine) call registerFigures, or get the generic
 * curves alone.
 */
import type { RunGroup } from '../groups.js';
import type { Figure } from '../plot.js';
import type { RunData } from '../run-data.js';
import { categoricalFigures } from './categorical.js';
import { gaussianFigures } from './gaussian.js';
import { compareMetricCurves, metricCurves } from './generic.js';
import { gmmFigures } from './gmm.js';

export interface FamilyFigures {
  /** Figures of one run, shown before the generic metric curves. */
  run?(run: RunData): Figure[];
  /** Figures overlaying several groups of runs of this family. */
  compare?(groups: readonly RunGroup[]): Figure[];
}

const BUILDERS = new Map<string, FamilyFigures>([
  ['gmm', gmmFigures],
  ['gaussian', gaussianFigures],
  ['categorical', categoricalFigures],
]);

export function registerFigures(family: string, figures: FamilyFigures): void {
  BUILDERS.set(family, figures);
}

export function runFigures(run: RunData): Figure[] {
  return [...(BUILDERS.get(run.config.family.type)?.run?.(run) ?? []), metricCurves(run)];
}

/** Family figures when every run is of one family; the shared metrics overlaid in any case. */
export function compareFigures(groups: readonly RunGroup[]): Figure[] {
  const families = new Set(groups.flatMap((g) => g.runs.map((r) => r.config.family.type)));
  const own = families.size === 1 ? (BUILDERS.get([...families][0])?.compare?.(groups) ?? []) : [];
  return [...own, compareMetricCurves(groups)];
}
