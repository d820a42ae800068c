/**
 * Family `gaussian`: one Gaussian refitted by maximum likelihood or the unbiased estimator (model.ts), with the
 * variance-collapse preset and the mitigations preset that compares every remedy on it.
 */
import type { TheoryCheck } from '../../theory/check.js';
import { logVarianceCheck, meanStepCheck } from '../../theory/gaussian.js';
import { defineFamily } from '../definition.js';
import { gaussianFigures, knownTruth, theoryRows, varianceTheory } from './figures.js';
import { createGaussianFamily, gaussianOptions } from './model.js';

const standardNormal = { type: 'gaussian', mean: [0], covariance: [[1]] };

export const gaussianFamily = defineFamily({
  name: 'gaussian',
  description: 'one d-dimensional Gaussian refitted by MLE (or the unbiased estimator): variance → 0',
  sampleKind: 'vectors',
  options: gaussianOptions,
  create: createGaussianFamily,
  weight: 1,
  diversity: 'covarianceTrace',
  // E[σ²ₙ] and the central 90% of σ²ₙ: the product of independent χ² factors (figures.ts).
  theoryCurve(config, generations) {
    const theory = varianceTheory(config);
    if (!theory) return undefined;
    const rows = theoryRows(theory, generations).map(({ generation, value, lo, hi }) => ({
      generation,
      value: value as number,
      lo,
      hi,
    }));
    return { metric: 'variance', label: 'theory E[σ²ₙ]', band: 'central 90% of σ²ₙ', rows };
  },
  // Under replace from real data of its own size, log σ² is a random walk whose steps theory knows exactly; under
  // replace and accumulate from a known 1-D Gaussian, so are the fitted mean's steps.
  theory(config, metrics) {
    const M = config.samplesPerGeneration;
    const R = config.realSize ?? M;
    const policy = config.policy.type;
    const oneDimensional = metrics.every((m) => typeof m.variance === 'number' && typeof m.mean === 'number');
    if ((policy !== 'replace' && policy !== 'accumulate') || !oneDimensional) return [];
    const estimator = config.family.estimator === 'unbiased' ? 'unbiased' : 'mle';
    const variances = metrics.map((m) => m.variance as number);
    const checks: (TheoryCheck | undefined)[] = [];
    if (policy === 'replace' && R === M) checks.push(logVarianceCheck(variances, M, estimator));
    const truth = knownTruth(config);
    if (truth)
      checks.push(
        meanStepCheck(
          metrics.map((m) => m.mean as number),
          variances,
          truth,
          M,
          policy,
          R,
        ),
      );
    return checks.filter((c): c is TheoryCheck => c !== undefined);
  },
  figures: gaussianFigures,
  presets: {
    gaussian: {
      description: 'One standard normal refitted by MLE to 100 of its own samples, 2,000 generations: variance → 0.',
      config: {
        name: 'gaussian',
        generations: 2000,
        samplesPerGeneration: 100,
        family: { type: 'gaussian', estimator: 'mle' },
        real: standardNormal,
      },
    },
    mitigations: {
      description:
        'One standard normal refitted by MLE to 100 samples per generation for 500 generations, from a 1,000-item human pool, under filter + feedback; `reproduce --only mitigations` runs the same config under every mitigation (replace, mix 10%, accumulate, web, filter, ...) for the comparison.',
      config: {
        name: 'mitigations',
        generations: 500,
        samplesPerGeneration: 100,
        realSize: 1000,
        family: { type: 'gaussian', estimator: 'mle' },
        real: standardNormal,
        policy: {
          type: 'filter',
          verifier: 'quality',
          selection: { type: 'band', dropUnlikely: 0.01, dropLikely: 0.05 },
          feedback: { controller: 'spread' },
        },
      },
    },
  },
});
