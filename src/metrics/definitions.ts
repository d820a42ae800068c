/**
 * What "collapse" a metric measures. The literature uses the word for several different things (Schaeffer,
 * Kazdan, Arulandu, Koyejo 2025, "Model Collapse Does Not Mean What You Think"), so every metric the lab
 * reports is tagged with the kinds of collapse it shows, and reports print the tag beside the number.
 * docs/definitions.md explains each one.
 */

export type CollapseDefinition =
  | 'diversity-loss'
  | 'tail-loss'
  | 'real-loss'
  | 'distance-real'
  | 'distance-gen0'
  | 'quality-loss';

export const DEFINITIONS: Readonly<Record<CollapseDefinition, { readonly title: string; readonly line: string }>> = {
  'diversity-loss': {
    title: 'diversity loss',
    line: 'the model’s spread shrinks towards a point: variance, entropy, distinct outputs',
  },
  'tail-loss': { title: 'tail loss', line: 'rare events lose their probability first, then vanish' },
  'real-loss': {
    title: 'real-data loss',
    line: 'the loss on held-out real data (negative log-likelihood, perplexity) rises',
  },
  'distance-real': {
    title: 'distance from the real distribution',
    line: 'the model moves away from the data it should describe',
  },
  'distance-gen0': {
    title: 'distance from generation 0',
    line: 'the model drifts from the first model, fitted to real data',
  },
  'quality-loss': { title: 'quality loss', line: 'samples lose fidelity: a judge’s confidence or precision falls' },
};

/** Tags of the metrics the built-in families report; a family adds its own with FamilyDefinition.definitions. */
export const METRIC_DEFINITIONS: Readonly<Record<string, readonly CollapseDefinition[]>> = {
  variance: ['diversity-loss'],
  covarianceTrace: ['diversity-loss'],
  totalVariance: ['diversity-loss'],
  entropy: ['diversity-loss'],
  giniSimpson: ['diversity-loss'],
  supportSize: ['diversity-loss', 'tail-loss'],
  distinct1: ['diversity-loss'],
  distinct2: ['diversity-loss'],
  distinct3: ['diversity-loss'],
  vocabularyTypes: ['diversity-loss', 'tail-loss'],
  rareTypesProduced: ['tail-loss'],
  tailMass: ['tail-loss'],
  lostRealMass: ['tail-loss'],
  heldOutLogLikelihood: ['real-loss'],
  testPerplexity: ['real-loss'],
  testPerplexityPerWord: ['real-loss'],
  w2: ['distance-real'],
  slicedWasserstein: ['distance-real'],
  totalVariation: ['distance-real'],
  klRealModel: ['distance-real'],
  l2ToTruth: ['distance-real'],
  l2ToGenerationZero: ['distance-gen0'],
  syntheticPerplexityP50: ['distance-gen0'],
  latentStd: ['diversity-loss'],
  latentStd100: ['diversity-loss'],
  meanPairwiseDistance: ['diversity-loss'],
  pixelVariance: ['diversity-loss'],
  testElbo: ['real-loss'],
  digitEntropy: ['diversity-loss'],
  classifierConfidence: ['quality-loss'],
  fidLike: ['distance-real'],
};

/** The tags of `metric` as a short label ("diversity loss, tail loss"), or '' for a metric with none. */
export function definitionLabel(
  metric: string,
  extra: Readonly<Record<string, readonly CollapseDefinition[]>> = {},
): string {
  return (extra[metric] ?? METRIC_DEFINITIONS[metric] ?? []).map((d) => DEFINITIONS[d].title).join(', ');
}
