/**
 * A weak labeller (Amin et al. 2025, "Escaping Collapse: The Strength of Weak Data"). Each generation it spends a
 * label budget on the candidates with the highest loss (the lowest likelihood under the model that made them) and
 * judges each one good or bad, right only with probability ½ + β.
 *
 * What it is right about: an item is good when its importance weight p/q (p a model of held-out real data, q the
 * generator) is at least the median candidate's, so keeping more of it moves the next fit towards the real
 * distribution: a too-narrow generator's tails are good, a too-wide one's bad, a shifted one's far side bad. (The
 * bare p ≥ q would call every sample of a narrow model bad, tails included, and narrow it further.) A good label keeps the item twice, a bad one drops it,
 * an unlabelled item stays once: at β = 0 the labels are coin flips and the training set is unchanged in
 * expectation; for β > 0 each labelled item tilts it towards the real distribution by 2β of an item.
 */
import type { Rng } from '../../core/rng.js';
import { rankAscending } from './selection.js';

export interface WeakLabelOptions {
  /** The labeller's edge: it is right with probability ½ + beta, beta in [0, ½]. */
  readonly beta: number;
  /** Share of the candidates labelled each generation, in (0, 1]. */
  readonly budget: number;
}

export interface WeakLabelling {
  /** Per candidate: +1 judged good, −1 judged bad, 0 not labelled. */
  readonly labels: Int8Array;
  readonly labelled: number;
  /** Labels that agree with the importance-weight judgement (the labeller's measured accuracy × labelled). */
  readonly correct: number;
  /** Items judged good. */
  readonly good: number;
}

export function checkWeakLabelOptions({ beta, budget }: WeakLabelOptions): void {
  if (!(beta >= 0 && beta <= 0.5))
    throw new RangeError(`filter: labels.beta is the labeller's edge over a coin, in [0, 0.5]; got ${beta}`);
  if (!(budget > 0 && budget <= 1))
    throw new RangeError(`filter: labels.budget is the share of candidates labelled, in (0, 1]; got ${budget}`);
}

/**
 * `own[i]`: candidate i's log-likelihood under the generator (its loss is −own[i]); `real[i]`: under the held-out
 * real model. The round(budget·n) highest-loss candidates are labelled, each with one uniform from `rng`.
 */
export function weakLabels(own: Float64Array, real: Float64Array, options: WeakLabelOptions, rng: Rng): WeakLabelling {
  checkWeakLabelOptions(options);
  const n = own.length;
  const labels = new Int8Array(n);
  const count = Math.min(n, Math.round(options.budget * n));
  // Ascending likelihood = descending loss; NaN ranks as least likely, so it is labelled first.
  const order = rankAscending(own);
  const logWeight = real.map((r, i) => r - own[i]);
  const median = medianOf(logWeight);
  let correct = 0;
  let good = 0;
  for (let k = 0; k < count; k++) {
    const i = order[k];
    const truth = logWeight[i] >= median;
    const right = rng.uniform() < 0.5 + options.beta;
    const judged = right ? truth : !truth;
    labels[i] = judged ? 1 : -1;
    if (right) correct++;
    if (judged) good++;
  }
  return { labels, labelled: count, correct, good };
}

/** The training items the labels keep, in increasing order: a good item twice, a bad one never, the rest once. */
export function keptByLabels(labels: Int8Array): Int32Array {
  let size = 0;
  for (let i = 0; i < labels.length; i++) size += 1 + labels[i];
  const kept = new Int32Array(size);
  let at = 0;
  for (let i = 0; i < labels.length; i++) for (let c = 0; c < 1 + labels[i]; c++) kept[at++] = i;
  return kept;
}

/** The median of the finite values (NaN when none is finite): the typical candidate's log importance weight. */
export function medianOf(xs: Float64Array): number {
  const finite = Array.from(xs.filter((x) => Number.isFinite(x))).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const h = finite.length >> 1;
  return finite.length % 2 ? finite[h] : (finite[h - 1] + finite[h]) / 2;
}
