/**
 * The `mitigations` comparison (a 1-D Gaussian under replace, mix, accumulate, the contaminated web, and verified
 * data with and without feedback): a table of final-generation metrics, one row per policy.
 */
import { settledFrom } from '../../metrics/settling.js';
import type { RunGroup } from '../../plots/groups.js';
import { parseExperimentConfig } from '../config.js';
import { fmt } from '../format.js';
import { mitigationConfigs } from '../mitigations.js';
import type { PaperExperiment } from './experiment.js';
import { byLabel, final, finalTable, labelled, num } from './shared.js';

const gaussianSet = (quick: boolean) => mitigationConfigs(1, quick ? { generations: 200 } : {});

export const mitigationsExperiment: PaperExperiment = {
  id: 'mitigations',
  title: 'What keeps a model from collapsing: real data, accumulation, the web, and verification',
  claim:
    'Which ways of building the next training set keep a refitted Gaussian near the truth (variance 1)? The literature says: keeping real data (mixed in or accumulated) prevents collapse; a web whose human stock runs out collapses unless it keeps its first scrape; a verifier needs feedback from real data. The verdicts below are computed from the table.',
  configs: (quick) => gaussianSet(quick).map((m) => parseExperimentConfig(m.config)),
  findings(raw) {
    const groups = labelled(raw, gaussianSet(false));
    const variance = (label: string) => fmt(final(byLabel(groups, label), 'variance'));
    const tail = (label: string) => fmt(final(byLabel(groups, label), 'tailMass'));
    const last = final(groups[0], 'generation');
    const settling = (label: string) => settledText(byLabel(groups, label));
    const replaceVariance = final(byLabel(groups, 'replace'), 'variance');
    const verdicts = groups
      .filter((g) => g.label !== 'replace')
      .map((g) => `${g.label} ${remedyVerdict(final(g, 'variance'), replaceVariance, final(g, 'w2'))}`);
    return {
      sentences: [
        `After ${last} generations the fitted variance (true value 1) was ${variance('replace')} under replace, ${variance('mix 10%')} with 10% real data mixed in and ${variance('accumulate')} accumulating; the model's mass in the real tails (2% for the truth) was ${tail('replace')}, ${tail('mix 10%')} and ${tail('accumulate')}.`,
        `On the contaminated web the variance ended at ${variance('web')}; training on the pre-contamination snapshot kept it at ${variance('web snapshot')}. A fixed band filter ended at ${variance('filter')}; with feedback from held-out real data, ${variance('filter + feedback')} (${settling('filter + feedback')}, its mean at ${fmt(final(byLabel(groups, 'filter + feedback'), 'mean'))} and W2 to the truth ${fmt(final(byLabel(groups, 'filter + feedback'), 'w2'))}: a band symmetric about the model holds its width, not its location; the first controller, pi-v1, ended at ${variance('filter + feedback (pi-v1)')}, ${settling('filter + feedback (pi-v1)')}); importance resampling towards a real-data model, ${variance('filter importance')}.`,
        `Against replace (final variance ${fmt(replaceVariance)}): ${verdicts.join('; ')}. (${VERDICT_RULE})`,
      ],
      table: withVerdicts(groups, replaceVariance, [
        ['variance', 'variance'],
        ['tailMass', 'tail mass'],
        ['w2', 'W2 to the truth'],
        ['heldOutLogLikelihood', 'held-out LL'],
        ['realFraction', 'real share'],
        ['trainSize', 'train size'],
      ]),
    };
  },
};

/** How a verdict is read off the final variance (the truth is 1): the distance that counts is |ln σ²|. */
export const VERDICT_RULE =
  "'keeps it near the truth': final variance within a factor 1.5 of 1 and W2 to the truth at most 0.5; 'keeps the width, not the place': the variance so, but the model has moved (W2 > 0.5); 'helps': |ln σ²| at most half of replace's; otherwise 'does not help', saying which way it missed";

/** The largest W2 to the truth (σ = 1) still called near it: the mean off by half a standard deviation. */
const NEAR_W2 = 0.5;

export function remedyVerdict(variance: number, replaceVariance: number, w2 = 0): string {
  if (!Number.isFinite(variance) || variance <= 0) return 'does not help (no finite variance)';
  const distance = Math.abs(Math.log(variance));
  if (distance <= Math.log(1.5))
    return w2 <= NEAR_W2 ? 'keeps it near the truth' : `keeps the width, not the place (W2 ${fmt(w2)})`;
  if (distance <= Math.abs(Math.log(replaceVariance)) / 2) return 'helps';
  return variance > 1
    ? `does not help (overshoots to ${fmt(variance)})`
    : `does not help (collapses to ${fmt(variance)})`;
}

/** The tolerance of the settling column: the feedback controller's acceptance bar (docs/feedback-controller.md). */
export const SETTLING_TOLERANCE = 0.15;

/** The generation from which the variance stays within ±15% of the truth, 1, to the run's end; null if never. */
export function settledGeneration(g: RunGroup): number | null {
  const metrics = g.runs[0].metrics;
  const from = settledFrom(
    metrics.map((m) => num(m.variance)),
    1,
    SETTLING_TOLERANCE,
  );
  return from === null ? null : num(metrics[from].generation);
}

function settledText(g: RunGroup): string {
  const at = settledGeneration(g);
  return at === null ? 'not within ±15% of 1 at the end' : `within ±15% of 1 from generation ${at} on`;
}

/** The final table with each policy's verdict beside its numbers. */
function withVerdicts(
  groups: Parameters<typeof finalTable>[0],
  replaceVariance: number,
  metrics: Parameters<typeof finalTable>[1],
) {
  const table = finalTable(groups, metrics);
  return {
    headers: [...table.headers, 'settled by (±15%)', 'verdict'],
    rows: table.rows.map((row, i) => [
      ...row,
      String(settledGeneration(groups[i]) ?? 'never'),
      groups[i].label === 'replace'
        ? 'baseline'
        : remedyVerdict(final(groups[i], 'variance'), replaceVariance, final(groups[i], 'w2')),
    ]),
  };
}
