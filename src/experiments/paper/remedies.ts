/**
 * The `remedies` section: each remedy on the same family, real data and seeds (experiments/remedies/settings.ts),
 * a row with its final real-data error, its collapse half-life and the real or labelled data it spent; and the
 * claims of fresh vs fixed real data (Alemohammad et al. 2024) and weak labels (Amin et al. 2025), computed.
 */
import type { RunData } from '../../core/run-store.js';
import { meanInterval } from '../../metrics/seed-summary.js';
import type { RunGroup } from '../../plots/groups.js';
import { collapseRate } from '../../theory/collapse-rate.js';
import { fmt } from '../format.js';
import { geometricAt, settledAt } from '../remedies/series.js';
import {
  FRESH_FIXED,
  type RemedyStudy,
  remedyConfigs,
  remedyStudies,
  runName,
  type StudySettings,
} from '../remedies/settings.js';
import type { PaperClaim, PaperExperiment } from './experiment.js';

type Series = number[][];

function runsOf(groups: readonly RunGroup[], study: RemedyStudy, label: string): RunData[] {
  const name = runName(study, label);
  return groups.flatMap((g) => g.runs.filter((r) => r.config.name === name));
}

const seriesOf = (runs: readonly RunData[], metric: string): Series =>
  runs.map((r) => r.metrics.map((m) => Number(m[metric])));

/** The studies as the runs were made: quick or full, read off the Gaussian study's length. */
function studiesOf(groups: readonly RunGroup[]): readonly StudySettings[] {
  const quick = remedyStudies(true);
  const run = groups.flatMap((g) => g.runs).find((r) => r.config.name.startsWith('remedies-gaussian-'));
  return run?.config.generations === quick[0].generations ? quick : remedyStudies(false);
}

const study = (groups: readonly RunGroup[], id: RemedyStudy) =>
  studiesOf(groups).find((s) => s.study === id) as StudySettings;

/** Where the error a run ends at is averaged from: the last quarter of its generations. */
const lastQuarter = (s: StudySettings) => Math.floor(0.75 * s.generations);

const interval = (x: { mean: number; lo: number; hi: number }) => `${fmt(x.mean)} [${fmt(x.lo)}, ${fmt(x.hi)}]`;

/** Per seed log(e[b]/e[a]), its mean and 95% interval: > 0 all through means the error rose from a to b. */
function logChange(series: Series, a: number, b: number) {
  return meanInterval(series.map((s) => Math.log(s[Math.min(b, s.length - 1)] / s[a])));
}

/** What a remedy spent after generation 0 (every run also fits generation 0 to the same real pool). */
function spent(runs: readonly RunData[]): string {
  const config = runs[0].config;
  const policy = config.policy as { type: string; realSelection?: string; verifier?: string };
  const lines = runs[0].metrics.slice(1);
  const sum = (metric: string) => lines.reduce((a, m) => a + Number(m[metric] ?? 0), 0);
  if (policy.type === 'mix' && policy.realSelection === 'fixed')
    return `${fmt(Math.round(Number(lines[0]?.realFraction) * Number(lines[0]?.trainSize)))} real items, reused`;
  if (policy.type === 'mix')
    return `${fmt(Math.round(lines.reduce((a, m) => a + Number(m.realFraction) * Number(m.trainSize), 0)))} real draws`;
  if (policy.type === 'accumulate') return `the ${fmt(Number(config.realSize))}-item pool, reused`;
  if (policy.verifier === 'weak-labels') return `${fmt(sum('filterLabelled'))} labels`;
  if (policy.type === 'filter') return `${fmt(Number(config.heldOutSize))} held-out real items, read each generation`;
  return 'none';
}

function halfLife(series: Series): string {
  const rate = collapseRate(series);
  if (!rate) return 'collapsed at once';
  const span = `slope ${fmt(rate.slope)} [${fmt(rate.interval[0])}, ${fmt(rate.interval[1])}]`;
  return rate.interval[1] < 0 ? `${fmt(rate.halfLife)} (${span})` : `none (${span})`;
}

interface FreshFixed {
  readonly replace: ReturnType<typeof settledAt>;
  readonly fixed: ReturnType<typeof settledAt>;
  readonly fresh: ReturnType<typeof settledAt>;
  readonly fixedRise: ReturnType<typeof meanInterval>;
  readonly fixedSecondHalf: ReturnType<typeof meanInterval>;
  readonly freshSecondHalf: ReturnType<typeof meanInterval>;
  readonly pass: boolean;
}

/** The three loops' final errors and how each moved: the claim's numbers for one study. */
export function freshFixed(groups: readonly RunGroup[], id: 'gaussian' | 'categorical'): FreshFixed {
  const s = study(groups, id);
  const [replace, fixed, fresh] = FRESH_FIXED.map((r) => seriesOf(runsOf(groups, id, r.label), s.error));
  const end = s.generations - 1;
  const mid = Math.floor(end / 2);
  const result = {
    replace: settledAt(replace, lastQuarter(s)),
    fixed: settledAt(fixed, lastQuarter(s)),
    fresh: settledAt(fresh, lastQuarter(s)),
    fixedRise: logChange(fixed, 1, end),
    fixedSecondHalf: logChange(fixed, mid, end),
    freshSecondHalf: logChange(fresh, mid, end),
  };
  const pass =
    result.replace.lo > result.fixed.hi &&
    result.fixed.lo > result.fresh.hi &&
    result.fixedRise.lo > 0 &&
    result.freshSecondHalf.lo <= 0;
  return { ...result, pass };
}

function freshFixedClaim(id: 'gaussian' | 'categorical'): PaperClaim {
  return {
    claim: `A fixed real set only delays the decline; fresh real data prevents it (${id})`,
    source: 'Alemohammad et al. 2024, "Self-Consuming Generative Models Go MAD"',
    bar: 'real-data error over the last quarter of the run (geometric mean, 95% intervals over seeds): replace > fixed > fresh, disjoint; fixed’s error rose from generation 1 (interval of the log change > 0); fresh’s did not rise over the second half (interval reaches 0)',
    measure(groups) {
      const r = freshFixed(groups, id);
      const still = r.fixedSecondHalf.lo > 0 ? 'still rising at the end' : 'settled in the second half';
      return {
        measured: `replace ${interval(r.replace)}, fixed ${interval(r.fixed)} (×${fmt(Math.exp(r.fixedRise.mean))} since generation 1, ${still}), fresh ${interval(r.fresh)} (second half ×${fmt(Math.exp(r.freshSecondHalf.mean))})`,
        pass: r.pass,
      };
    },
  };
}

export interface WeakLabelRow {
  readonly beta: number;
  readonly start: number;
  readonly mid: number;
  readonly end: number;
  /** First generation whose geometric-mean error is at most half of generation 0's (null: never). */
  readonly halving: number | null;
}

export function weakLabelRows(groups: readonly RunGroup[]): WeakLabelRow[] {
  const s = study(groups, 'weak');
  return s.remedies.map(({ label, policy }) => {
    const series = seriesOf(runsOf(groups, 'weak', label), s.error);
    const at = (g: number) => geometricAt(series, g).mean;
    const start = at(0);
    let halving: number | null = null;
    for (let g = 1; g < s.generations && halving === null; g++) if (at(g) <= start / 2) halving = g;
    const beta = (policy as { labels: { beta: number } }).labels.beta;
    return { beta, start, mid: at(Math.floor(s.generations / 2)), end: at(s.generations - 1), halving };
  });
}

const weakClaim: PaperClaim = {
  claim: 'With a weak labeller (right with probability ½ + β) the error keeps falling, faster for larger β',
  source: 'Amin et al. 2025, "Escaping Collapse: The Strength of Weak Data"',
  bar: 'each β > 0: error at the midpoint below generation 0’s and at the end below half of it; β = 0: not below generation 0’s at the end; the generation the error halves is non-increasing in β',
  measure(groups) {
    const rows = weakLabelRows(groups);
    const coin = rows.find((r) => r.beta === 0);
    const edged = rows.filter((r) => r.beta > 0);
    const falls = edged.every((r) => r.mid < r.start && r.end < r.start / 2);
    const halvings = edged.map((r) => r.halving ?? Number.POSITIVE_INFINITY);
    const ordered = halvings.every((h, i) => i === 0 || h <= halvings[i - 1]);
    return {
      measured: rows
        .map((r) => `β ${r.beta}: ${fmt(r.start)} → ${fmt(r.mid)} → ${fmt(r.end)}, halved by ${r.halving ?? 'never'}`)
        .join('; '),
      pass: falls && ordered && coin !== undefined && coin.end >= coin.start,
    };
  },
};

export const remediesExperiment: PaperExperiment = {
  id: 'remedies',
  title: 'Remedies side by side: what each keeps, what it costs',
  claim:
    'Each remedy on the same families and seeds: fresh vs fixed real data (Alemohammad et al. 2024), accumulation, the spread feedback filter and a weak labeller (Amin et al. 2025), with the real or labelled data each spent.',
  configs: (quick) => remedyConfigs(quick),
  runReports: false,
  claims: [freshFixedClaim('gaussian'), freshFixedClaim('categorical'), weakClaim],
  findings(groups) {
    const studies = studiesOf(groups);
    const rows = studies.flatMap((s) =>
      s.remedies.map(({ label }) => {
        const runs = runsOf(groups, s.study, label);
        const error = settledAt(seriesOf(runs, s.error), lastQuarter(s));
        return [
          s.study === 'weak' ? 'gaussian, poor start' : s.study,
          label,
          `${s.error} ${interval(error)}`,
          halfLife(seriesOf(runs, s.diversity)),
          spent(runs),
        ];
      }),
    );
    const [g, c] = [freshFixed(groups, 'gaussian'), freshFixed(groups, 'categorical')];
    const weak = weakLabelRows(groups);
    return {
      sentences: [
        `Fresh vs fixed real data, error over the last quarter of the run: Gaussian (W2) replace ${fmt(g.replace.mean)}, fixed ${fmt(g.fixed.mean)}, fresh ${fmt(g.fresh.mean)}; Zipf (total variation) replace ${fmt(c.replace.mean)}, fixed ${fmt(c.fixed.mean)}, fresh ${fmt(c.fresh.mean)}.`,
        `Weak labels from a poor start (W2 ${fmt(weak[0].start)} at generation 0): ${weak.map((r) => `β ${r.beta} ends at ${fmt(r.end)}${r.halving === null ? '' : ` (halved by generation ${r.halving})`}`).join(', ')}.`,
      ],
      table: {
        headers: [
          'family',
          'remedy',
          'final real-data error (geometric mean [95%])',
          'collapse half-life, generations',
          'data spent after generation 0',
        ],
        rows,
      },
    };
  },
};
