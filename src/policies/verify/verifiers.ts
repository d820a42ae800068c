/**
 * Verifiers score candidate training items, higher = more usable. Built-in ones read the family's `score`
 * under one of the run's models (see PolicyContext.score); a user's own verifier is any function of the
 * candidates and the context, passed through the library API.
 */
import type { Dataset } from '../../core/dataset.js';
import type { PolicyContext, ScoringModel } from '../../core/policy.js';
import type { Samples } from '../../core/samples.js';

export type Verifier<S extends Samples = Samples> = (
  candidates: Dataset<S>,
  ctx: PolicyContext<S>,
) => Float64Array | Promise<Float64Array>;

/** Verifiers a config can name (a function cannot live in JSON). */
export const VERIFIER_NAMES = ['generation-zero', 'held-out', 'quality'] as const;
export type VerifierName = (typeof VERIFIER_NAMES)[number];

/**
 * - `generation-zero`: likelihood under generation 0's model, fitted to the real pool ("data quality" as the
 *   first model sees it);
 * - `held-out`: likelihood under a model fitted to the held-out real data, independent of the training pool;
 * - `quality`: the family's own score under the model that made the candidates (a classifier's confidence for
 *   families that have one; for likelihood families, the generator's own likelihood — self-verification).
 */
export function namedVerifier<S extends Samples = Samples>(name: VerifierName): Verifier<S> {
  const model: ScoringModel = name === 'quality' ? 'previous' : name;
  return (candidates, ctx) => scoreWith(ctx, model, candidates.samples);
}

/** The context's scorer, or an error that says which family lacks `score`. */
export function scoreWith<S extends Samples>(
  ctx: PolicyContext<S>,
  model: ScoringModel,
  samples: S,
): Promise<Float64Array> {
  if (!ctx.score) throw new Error(`filter: this family cannot score items (it has no 'score' method)`);
  return ctx.score(model, samples);
}
