/** Names in a config to implementations: the one place that knows every family and policy. */
import type { ModelFamily } from '../core/family.js';
import type { DataPolicy } from '../core/policy.js';
import { createCategoricalFamily } from '../families/categorical/index.js';
import { createGaussianFamily } from '../families/gaussian/index.js';
import { createGmmFamily } from '../families/gmm/index.js';
import { createNgramFamily } from '../families/ngram/index.js';
import { accumulatePolicy } from '../policies/accumulate.js';
import { accumulateSubsamplePolicy } from '../policies/accumulate-subsample.js';
import { filterPolicy } from '../policies/filter.js';
import { isolatePolicy } from '../policies/isolate.js';
import { mixPolicy } from '../policies/mix.js';
import { replacePolicy } from '../policies/replace.js';
import { webPolicy } from '../policies/web.js';
import type { FamilyConfig, PolicyConfig } from './config.js';

export function createFamily(config: FamilyConfig): ModelFamily<never, unknown> {
  switch (config.type) {
    case 'categorical':
      return createCategoricalFamily(config) as ModelFamily<never, unknown>;
    case 'gaussian':
      return createGaussianFamily(config) as ModelFamily<never, unknown>;
    case 'gmm':
      return createGmmFamily(config) as ModelFamily<never, unknown>;
    case 'ngram':
      return createNgramFamily(config) as ModelFamily<never, unknown>;
  }
}

export function createPolicy(config: PolicyConfig): DataPolicy {
  switch (config.type) {
    case 'replace':
      return replacePolicy();
    case 'mix':
      return mixPolicy(config.realFraction);
    case 'accumulate':
      return accumulatePolicy();
    case 'accumulate-subsample':
      return accumulateSubsamplePolicy();
    case 'web':
      return webPolicy(config);
    case 'filter':
      return filterPolicy({
        verifier: config.verifier,
        selection: config.selection,
        feedback: config.feedback,
        source: config.source && createPolicy(config.source),
      });
    case 'isolate':
      return isolatePolicy({
        // Absent only when a config skipped parseExperimentConfig: isolatePolicy says what to set.
        watermark: config.watermark as NonNullable<typeof config.watermark>,
        threshold: config.threshold,
        source: config.source && createPolicy(config.source),
      }) as unknown as DataPolicy;
  }
}
