// bench/gmm: generations per second of the paper's GMM experiment (a 2-component full-covariance GMM refitted
// by EM to 1,000 of its own samples, real data one 2-D standard normal), side by side with scikit-learn's
// GaussianMixture running the same loop (../shared/bench/gmm_sklearn.py), and the wall time of the full
// 2,001-generation preset run with every metric and the run folder.
// Usage: npm run bench -- gmm [--generations N] [--reference-generations N] [--repeats N]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fitMixtureEm } from '../dist/families/gmm/em.js';
import { deriveRng, resolveConfig, runExperiment } from '../dist/index.js';
import { prepareMixture, sampleMixture } from '../dist/math/mixture.js';

const { values } = parseArgs({
  options: {
    generations: { type: 'string', default: '2000' },
    'reference-generations': { type: 'string', default: '200' },
    repeats: { type: 'string', default: '3' },
  },
});
const G = Number(values.generations);
const here = path.dirname(fileURLToPath(import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Ours: exactly the reference's work per generation — fit by EM, then draw the next 1,000 points.
const options = {
  components: 2,
  init: 'kmeans',
  restarts: 1,
  tolerance: 1e-5,
  maxIterations: 2000,
  regularization: 1e-6,
};
function fitSampleLoop(seed) {
  let x = sampleMixture(
    prepareMixture({
      dim: 2,
      weights: Float64Array.of(1),
      means: new Float64Array(2),
      covariances: Float64Array.of(1, 0, 0, 1),
    }),
    1000,
    deriveRng(seed, -1, 'real'),
  );
  const started = performance.now();
  for (let g = 0; g < G; g++) {
    const fit = fitMixtureEm(x, 2, options, deriveRng(seed, g, 'fit'));
    x = sampleMixture(prepareMixture(fit.mixture), 1000, deriveRng(seed, g, 'sample'));
  }
  return G / ((performance.now() - started) / 1000);
}
const ours = median(Array.from({ length: Number(values.repeats) }, (_, r) => fitSampleLoop(r + 1)));
console.log(
  `collapse-lab  EM fit + sample: ${ours.toFixed(1)} generations/s (${G} generations, median of ${values.repeats})`,
);

// The full preset run: 2,001 generations with every metric, snapshots and checkpoints in a run folder.
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-bench-'));
const full = await runExperiment(resolveConfig('gmm'), { out });
console.log(
  `collapse-lab  full 'gmm' preset run: ${full.summary.wallSeconds.toFixed(2)} s for ${full.summary.generations} generations (target < 5 s)`,
);
fs.rmSync(out, { recursive: true, force: true });

// Reference: scikit-learn on the same machine, in the same run.
const script = path.join(here, '..', '..', 'shared', 'bench', 'gmm_sklearn.py');
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
let reference;
try {
  // One thread, like ours: numpy's OpenBLAS would otherwise start one thread per core.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const text = execFileSync(python, [script, '--generations', values['reference-generations']], {
    encoding: 'utf8',
    env,
  });
  reference = Number(/generations\/s\s+([\d.]+)/.exec(text)?.[1]);
  console.log(
    `scikit-learn  GaussianMixture fit + sample: ${reference.toFixed(1)} generations/s (${values['reference-generations']} generations)`,
  );
} catch (error) {
  console.log(
    `scikit-learn reference skipped: ${script} could not run (${error.message.split('\n')[0]}); install Debian's python3-sklearn`,
  );
}
if (reference)
  console.log(
    `ratio ${(ours / reference).toFixed(1)} (collapse-lab / scikit-learn generations per second; target ≥ 20)`,
  );
