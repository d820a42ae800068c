/**
 * The collapse-rate table of a comparison: for each group of runs, the slope of its family's diversity statistic
 * (in log, per generation) with a 95% interval over seeds, the half-life in generations and the effective sample
 * size M_eff of a Gaussian refitted by MLE that collapses as fast — one scale for every family.
 */
import type { RunData } from '../core/run-store.js';
import { findFamily } from '../families/index.js';
import { format } from '../plots/generic.js';
import { table } from '../plots/html.js';
import { collapseRate } from '../theory/collapse-rate.js';

export interface RateRow {
  readonly label: string;
  readonly runs: readonly RunData[];
}

/** The rate of a group of runs (seeds of one configuration), or undefined when its family names no statistic. */
export function groupRate(runs: readonly RunData[]) {
  const statistic = findFamily(runs[0]?.config.family.type)?.diversity;
  if (!statistic) return undefined;
  const series = runs.map((r) =>
    r.metrics.map((m) => (typeof m[statistic] === 'number' ? (m[statistic] as number) : Number.NaN)),
  );
  const rate = collapseRate(series);
  return rate && { statistic, ...rate };
}

const generations = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 100 ? 1 : 0) : '∞');

export function collapseRateTable(rows: readonly RateRow[]): string | undefined {
  const cells = rows.flatMap(({ label, runs }) => {
    const rate = groupRate(runs);
    if (!rate) return [];
    return [
      [
        label,
        `${runs[0].config.family.type}: log ${rate.statistic}`,
        `${format(rate.slope)} [${format(rate.interval[0])}, ${format(rate.interval[1])}]`,
        generations(rate.halfLife),
        generations(rate.effectiveSampleSize),
        `${rate.generations} × ${rate.seeds}`,
      ],
    ];
  });
  if (cells.length === 0) return undefined;
  return `<p>Slope of the mean log diversity statistic per generation (95% interval: bootstrap over seeds, or the least-squares interval for one seed), its half-life ln 2/|slope|, and M_eff: the sample size at which a Gaussian refitted by maximum likelihood loses log-variance as fast. Fitted over the generations before any seed's statistic reaches 0.</p>\n${table(
    [
      'configuration',
      'statistic',
      'slope per generation [95% interval]',
      'half-life (generations)',
      'M_eff',
      'generations × seeds',
    ],
    cells,
  )}`;
}
