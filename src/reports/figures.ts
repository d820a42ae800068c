/**
 * Which figures a run gets: its family's own (from the family's definition in the registry) followed by the
 * generic metric curves; a family without figures gets the generic curves alone. A family may also add report
 * sections of plain HTML, for what is no figure (the n-gram model's text).
 */

import type { RunData } from '../core/run-store.js';
import { type FamilyFigures, findFamily } from '../families/index.js';
import { definitionLabel } from '../metrics/definitions.js';
import { compareMetricCurves, metricCurves } from '../plots/generic.js';
import type { RunGroup } from '../plots/groups.js';
import type { Section } from '../plots/html.js';
import type { Figure } from '../plots/plot.js';

const figuresOf = (family: string): FamilyFigures | undefined => findFamily(family)?.figures;
/** The collapse tags of a family's metrics (its own, then the built-in ones), for the generic panels' subtitles. */
const tagsOf = (family: string) => (metric: string) => definitionLabel(metric, findFamily(family)?.definitions);

export function runFigures(run: RunData): Figure[] {
  return [...familyRunFigures(run), metricCurves(run, tagsOf(run.config.family.type))];
}

/** The family's own figures of a run (samples, fitted models), without the generic metric curves. */
export function familyRunFigures(run: RunData): Figure[] {
  return figuresOf(run.config.family.type)?.run?.(run) ?? [];
}

export function runSections(run: RunData): Section[] {
  return figuresOf(run.config.family.type)?.sections?.(run) ?? [];
}

/** Family figures when every run is of one family; the shared metrics overlaid in any case. */
export function compareFigures(groups: readonly RunGroup[]): Figure[] {
  const families = new Set(groups.flatMap((g) => g.runs.map((r) => r.config.family.type)));
  const own = families.size === 1 ? (figuresOf([...families][0])?.compare?.(groups) ?? []) : [];
  return [...own, compareMetricCurves(groups, families.size === 1 ? tagsOf([...families][0]) : definitionLabel)];
}
