/** The mix threshold and convergence rate (experiments/remedies/threshold.ts), as a reproduce section. */
import type { RunGroup } from '../../plots/groups.js';
import { fmt, share } from '../format.js';
import {
  analyseThreshold,
  type ThresholdAnalysis,
  thresholdConfigs,
  thresholdSettings,
} from '../remedies/threshold.js';
import type { PaperClaim, PaperExperiment } from './experiment.js';

/** Each family's analysis, its groups found by preset and real fraction (full settings when the runs are long). */
function analyses(groups: readonly RunGroup[]): ThresholdAnalysis[] {
  const runs = groups.flatMap((g) => g.runs);
  const first = runs.find((r) => r.config.name === 'mix-threshold-gaussian');
  const quick = first?.config.generations === thresholdSettings(true)[0].generations;
  return thresholdSettings(quick).map((family) =>
    analyseThreshold(
      family,
      family.fractions.map((fraction) =>
        runs
          .filter(
            (r) =>
              r.config.name === `mix-threshold-${family.preset}` &&
              (r.config.policy as { realFraction?: number }).realFraction === fraction,
          )
          .map((r) => r.metrics),
      ),
    ),
  );
}

const between = (a: ThresholdAnalysis) =>
  `unbounded up to λ = ${a.unboundedUpTo === null ? '–' : fmt(a.unboundedUpTo)}, bounded from ${a.boundedFrom === null ? '–' : fmt(a.boundedFrom)}`;

function thresholdClaim(preset: 'gaussian' | 'gmm'): PaperClaim {
  return {
    claim: `Below a real fraction the error is unbounded; above it, bounded (${preset})`,
    source: 'Bertrand et al. 2024; closed form: one real item a generation, λ = 1/(2M) (theory/mix.ts)',
    bar: 'unbounded: the statistic’s geometric mean over the second half below 5% of the truth’s; replace unbounded, every λ from the located threshold up bounded, and 1/(2M) inside the located bracket',
    measure(groups) {
      const a = analyses(groups).find((x) => x.family.preset === preset) as ThresholdAnalysis;
      const pass =
        a.rows[0].unbounded &&
        a.boundedFrom !== null &&
        a.unboundedUpTo !== null &&
        a.unboundedUpTo < a.theoryThreshold &&
        a.theoryThreshold <= a.boundedFrom;
      return { measured: `${between(a)}; theory ${fmt(a.theoryThreshold)}`, pass };
    },
  };
}

function stationaryClaim(preset: 'gaussian' | 'gmm'): PaperClaim {
  return {
    claim: `Above the threshold the statistic settles at theory's fixed point d·v(M, k) (${preset})`,
    source: 'closed form (exact moment recursion of the pooled MLE, theory/mix.ts)',
    bar: 'every bounded λ’s second-half mean within its 95% interval over seeds widened by 10% of theory (autocorrelated series, few seeds)',
    measure(groups) {
      const a = analyses(groups).find((x) => x.family.preset === preset) as ThresholdAnalysis;
      const bounded = a.rows.filter((r) => !r.unbounded);
      const misses = bounded.filter(
        (r) => Math.abs(r.stationary - r.stationaryTheory) > r.stationaryHalfWidth + 0.1 * r.stationaryTheory,
      );
      return {
        measured: `${bounded.length - misses.length} of ${bounded.length} within${misses.length ? `; off: ${misses.map((r) => `λ ${fmt(r.realFraction)} ${fmt(r.stationary)} vs ${fmt(r.stationaryTheory)}`).join(', ')}` : ''}`,
        pass: bounded.length > 0 && misses.length === 0,
      };
    },
  };
}

const rateClaim: PaperClaim = {
  claim: 'The error settles at a rate min(baseline rate, real fraction) per generation (gaussian, the mean)',
  source: 'Wang, Niu, Li 2026; closed form E[μ′ | μ] = (1 − k/M) μ',
  bar: 'slope of the measured rate on min(baseline, k/M) over the bounded λ within 3 standard errors of 1 (or within 0.1)',
  measure(groups) {
    const a = analyses(groups).find((x) => x.family.preset === 'gaussian') as ThresholdAnalysis;
    if (!a.fit) return { measured: 'fewer than 3 bounded fractions', pass: false };
    const { b, seB, a: intercept, baseline } = a.fit;
    return {
      measured: `slope ${fmt(b)} ± ${fmt(seB)}, intercept ${fmt(intercept)}, baseline rate ${fmt(baseline)}`,
      pass: Math.abs(b - 1) < Math.max(3 * seB, 0.1),
    };
  },
};

export const mixThresholdExperiment: PaperExperiment = {
  id: 'mix-threshold',
  title: 'The mix threshold: how little real data keeps the error bounded, and how fast it settles',
  claim:
    'Iterative retraining with a real fraction λ is stable above a threshold (Bertrand et al. 2024) and converges at a rate min(baseline rate, λ) (Wang, Niu, Li 2026). For the MLE Gaussian and the EM mixture the threshold is one real item a generation.',
  configs: (quick) => thresholdConfigs(quick),
  runReports: false,
  figures: () => [],
  claims: [
    thresholdClaim('gaussian'),
    stationaryClaim('gaussian'),
    rateClaim,
    thresholdClaim('gmm'),
    stationaryClaim('gmm'),
  ],
  findings(groups) {
    const all = analyses(groups);
    return {
      sentences: all.map((a) => {
        const fit = a.fit
          ? ` The measured rate against min(baseline ${fmt(a.fit.baseline)}, k/M) has slope ${fmt(a.fit.b)} ± ${fmt(a.fit.seB)} (theory: 1 for the ${a.family.meanMetric ? 'mean' : 'statistic, up to the variance’s own 1/M'}).`
          : '';
        return `${a.family.preset} (M = ${a.family.samples}, ${a.family.generations} generations, ${a.family.seeds} seeds): the error (${a.family.statistic}) is ${between(a)} (theory ${fmt(a.theoryThreshold)}: one real item a generation).${fit}`;
      }),
      table: {
        headers: [
          'family',
          'real fraction λ',
          'real items k',
          'second-half log slope [95%]',
          'error',
          'stationary (measured ± 95%)',
          'theory d·v(M, k)',
          'rate (1 − lag-1 slope)',
          'theory k/M',
        ],
        rows: all.flatMap((a) =>
          a.rows.map((r) => [
            a.family.preset,
            r.realFraction === 0 ? '0' : share(r.realFraction),
            String(r.realItems),
            `${fmt(r.slope)} [${fmt(r.interval[0])}, ${fmt(r.interval[1])}]`,
            r.unbounded ? 'unbounded' : 'bounded',
            `${fmt(r.stationary)} ± ${fmt(r.stationaryHalfWidth)}`,
            fmt(r.stationaryTheory),
            `${fmt(r.rate)} ± ${fmt(r.rateSe)}`,
            fmt(r.rateTheory),
          ]),
        ),
      },
    };
  },
};
