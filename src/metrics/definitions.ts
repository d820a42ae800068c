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
  testLogLikelihood: ['real-loss'],
  syntheticLogLikelihood0: ['distance-gen0'],
  sampleSpread: ['diversity-loss'],
  slicedW2: ['distance-real'],
};

/** The tags of `metric` as a short label ("diversity loss, tail loss"), or '' for a metric with none. */
export function definitionLabel(
  metric: string,
  extra: Readonly<Record<string, readonly CollapseDefinition[]>> = {},
): string {
  return (extra[metric] ?? METRIC_DEFINITIONS[metric] ?? []).map((d) => DEFINITIONS[d].title).join(', ');
}

/** One line on what each built-in metric is, with its unit: the "what it is" column of a report's table. */
export const METRIC_MEANINGS: Readonly<Record<string, string>> = {
  generation: 'the generation number (0 fits real data)',
  trainSize: 'items in the generation’s training set (count)',
  realFraction: 'share of real items in the training set (0–1)',
  mean: 'the fitted mean (data units)',
  variance: 'the fitted variance (data units²; the truth’s is 1 in the presets)',
  covarianceTrace: 'trace of the fitted covariance: total variance (data units²)',
  totalVariance: 'trace of the fitted mixture’s covariance (data units²)',
  w2: 'Wasserstein-2 distance from the fitted to the real distribution (data units)',
  slicedWasserstein: 'sliced Wasserstein-2 distance from the model’s samples to held-out real data (data units)',
  heldOutLogLikelihood: 'mean log-density of held-out real data under the model (nats per item; higher is better)',
  tailMass:
    'the model’s mass in the real tails (probability): vectors, outside the real 1%–99% quantiles (truth 0.02); categories, on the real distribution’s rarest outcomes',
  l2ToTruth: 'L2 distance between the fitted and true mixture densities',
  l2ToGenerationZero: 'L2 distance between this and generation 0’s fitted mixture densities',
  emIterations: 'EM iterations the fit took (count)',
  supportSize: 'outcomes with non-zero probability (count)',
  totalVariation: 'total-variation distance from the real distribution (0–1)',
  klRealModel: 'KL(real ‖ model) (nats; infinite once a real outcome is lost)',
  lostRealMass: 'real probability on outcomes the model gives 0 (probability)',
  realTailMass: 'the real distribution’s own mass on those rarest outcomes (probability): tailMass’s truth',
  entropy: 'entropy of the fitted distribution (nats)',
  giniSimpson: 'chance that two draws differ, 1 − Σp² (probability)',
  testPerplexity: 'perplexity of the real test split (per token; lower is better)',
  testPerplexityPerWord:
    'perplexity of the real test split per word: log-loss over the word count, so BPE and word models compare',
  validLoss: 'the kept epoch’s loss on a held-out 5% of the training blocks (nats per token)',
  bestEpoch: 'the epoch kept, the one with the best validation loss (count)',
  parameters: 'the model’s trainable parameters (count)',
  distinct1: 'distinct unigrams over all unigrams in the generated text (0–1)',
  distinct2: 'distinct bigrams over all bigrams in the generated text (0–1)',
  distinct3: 'distinct trigrams over all trigrams in the generated text (0–1)',
  vocabularyTypes: 'word types the generated text uses (count)',
  rareTypesProduced: 'share of the real text’s rare types the generated text still uses (0–1)',
  syntheticPerplexityP50: 'median perplexity of the generated blocks under generation 0 (per token)',
  latentStd: 'spread (standard deviation) of the latent codes, the notebook’s diversity statistic (latent units)',
  pixelVariance: 'per-pixel variance of generated images, averaged (intensity²)',
  testElbo: 'evidence lower bound on real test images (higher is better)',
  digitEntropy: 'entropy of the classifier’s digit labels over generated images (bits; log₂ 10 = 3.32 is uniform)',
  classifierConfidence: 'mean top-class probability a real-data classifier gives generated images (0–1)',
  testLogLikelihood:
    'mean log-likelihood of held-out real items under the trainer’s model (nats per item; higher is better)',
  syntheticLogLikelihood0: 'mean log-likelihood of the generation’s samples under generation 0’s model (nats per item)',
  sampleSpread: 'standard deviation of the samples per coordinate, averaged over coordinates (data units)',
  slicedW2: 'sliced Wasserstein-2 distance from the samples to held-out real data (data units)',
  fidLike: 'Fréchet distance between real and generated images in the classifier’s feature space',
};

/** What `metric` is, in one line with its unit; '' for a metric without one. */
export function metricMeaning(metric: string, extra: Readonly<Record<string, string>> = {}): string {
  return extra[metric] ?? METRIC_MEANINGS[metric] ?? '';
}
