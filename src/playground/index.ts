/**
 * collapse-lab in the browser (`collapse-lab/playground`, docs/playground.md): the cheap experiments (dice,
 * categorical, Gaussian, Gaussian mixture, an MLP VAE on a slice of MNIST) run by the library's own loop,
 * families and policies, with a drawable frame per generation and theory's curve beside it. Nothing below this
 * file imports Node, and its numbers are the CLI's to the last bit (src/playground/playground.test.ts).
 *
 *   const config = defaultPlaygroundConfig('gmm');
 *   history.replaceState(null, '', playgroundConfigToSearch(config));
 *   await runPlayground(config, { onFrame: (f) => draw(f.view, f.metrics) });
 */
export type { Metrics } from '../core/family.js';
export { type MnistSet, mnistSetFromBytes } from '../data/mnist-set.js';
export type { TheoryCurve } from '../families/definition.js';
export { PLAYGROUND_FAMILY_DEFINITIONS, type PlaygroundConfig, parsePlaygroundConfig } from './catalog.js';
export { defaultPlaygroundConfig, PLAYGROUND_EXPERIMENTS, type PlaygroundExperiment } from './presets.js';
export { type PlaygroundFrame, type PlaygroundOptions, runPlayground, theoryCurve } from './run.js';
export { CONFIG_PARAMETER, playgroundConfigFromSearch, playgroundConfigToSearch } from './url.js';
export { type Ellipse, MAX_OUTCOMES, MAX_POINTS, type PlaygroundView } from './views.js';
