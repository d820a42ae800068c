// bench/gmm: the paper's GMM loop (a 2-component full-covariance GMM refitted by EM to 1,000 of its own samples,
// real data one 2-D standard normal, 2,001 generations), ours against scikit-learn's GaussianMixture on identical
// work: scikit-learn fits the very training sets our loop fitted, generation by generation (and draws 1,000 points
// after each fit, as we do), so both sides run the same EM on the same data. The EM iterations a fit needs depend
// on its data and vary about 4x between random loops, so comparing two independent loops would compare luck.
// The full loop and its first 200 generations are each timed; EM iterations per fit are printed for both sides.
// Then the wall time of the full preset run with every metric and the run folder.
// Usage: npm run bench -- gmm [--generations N] [--seeds N]
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
  options: { generations: { type: 'string', default: '2001' }, seeds: { type: 'string', default: '3' } },
});
const G = Number(values.generations);
const SEEDS = Number(values.seeds);
const EARLY = Math.min(200, G);
const here = path.dirname(fileURLToPath(import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

// Ours: exactly the reference's work per generation — fit by EM (k-means start, one restart), then draw 1,000.
const options = {
  components: 2,
  init: 'kmeans',
  restarts: 1,
  tolerance: 1e-5,
  maxIterations: 2000,
  regularization: 1e-6,
};
/**
 * Our loop, timed per generation; it also keeps every generation's training set for the reference. `path`
 * 'typescript' runs EM's E-step in TypeScript instead of the WebAssembly kernel (the same bits, checked here).
 */
function ourLoop(seed, path = 'fastest', generations = G) {
  const real = {
    dim: 2,
    weights: Float64Array.of(1),
    means: new Float64Array(2),
    covariances: Float64Array.of(1, 0, 0, 1),
  };
  let x = sampleMixture(prepareMixture(real), 1000, deriveRng(seed, -1, 'real'));
  const seconds = [];
  const iterations = [];
  const trainingSets = new Float64Array(generations * x.length);
  for (let g = 0; g < generations; g++) {
    trainingSets.set(x, g * x.length);
    const t = performance.now();
    const fit = fitMixtureEm(x, 2, options, deriveRng(seed, g, 'fit'), path);
    x = sampleMixture(prepareMixture(fit.mixture), 1000, deriveRng(seed, g, 'sample'));
    seconds.push((performance.now() - t) / 1000);
    iterations.push(fit.iterations);
  }
  return { seconds, iterations, trainingSets };
}

/** scikit-learn fitting the same training sets, in a child process given them as a raw float64 file. */
function referenceLoop(seed, trainingSets) {
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  // One thread, like ours: numpy's OpenBLAS would otherwise start one thread per core.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const script = path.join(here, 'reference', 'gmm_sklearn_timed.py');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-bench-gmm-'));
  const file = path.join(dir, 'training-sets.f64');
  fs.writeFileSync(file, new Uint8Array(trainingSets.buffer));
  try {
    const args = [script, '--generations', String(G), '--seed', String(seed), '--data', file];
    return JSON.parse(execFileSync(python, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Generations per second over a window, and EM iterations per fit there (mean). */
function window(run, from, to) {
  return {
    rate: (to - from) / sum(run.seconds.slice(from, to)),
    iterations: sum(run.iterations.slice(from, to)) / (to - from),
  };
}

function summarise(name, runs) {
  const full = runs.map((r) => window(r, 0, G));
  const early = runs.map((r) => window(r, 0, EARLY));
  const out = {
    full: median(full.map((w) => w.rate)),
    early: median(early.map((w) => w.rate)),
    fullIterations: median(full.map((w) => w.iterations)),
    earlyIterations: median(early.map((w) => w.iterations)),
  };
  console.log(
    `${name.padEnd(13)} generations/s: ${out.full.toFixed(0)} over all ${G}, ${out.early.toFixed(0)} over the first ${EARLY}; EM iterations per fit: ${out.fullIterations.toFixed(1)} and ${out.earlyIterations.toFixed(1)} (median of ${SEEDS} seeds)`,
  );
  return out;
}

// Warm both paths up first (JIT and the kernel's memory), so neither pays for it inside the timed window.
ourLoop(SEEDS + 1, 'fastest', 100);
ourLoop(SEEDS + 1, 'typescript', 100);
const ourRuns = Array.from({ length: SEEDS }, (_, s) => ourLoop(s + 1));
const typescriptRuns = Array.from({ length: SEEDS }, (_, s) => ourLoop(s + 1, 'typescript'));
const ours = summarise('collapse-lab', ourRuns);
const typescriptOnly = summarise('  TS E-step', typescriptRuns);
const sameBits = ourRuns.every((run, s) =>
  run.trainingSets.every((v, i) => Object.is(v, typescriptRuns[s].trainingSets[i])),
);
if (!sameBits) throw new Error('the WebAssembly and TypeScript E-steps disagree: run src/families/gmm/em.test.ts');
let reference;
try {
  reference = summarise(
    'scikit-learn',
    ourRuns.map((run, s) => referenceLoop(s, run.trainingSets)),
  );
} catch (error) {
  console.log(`scikit-learn reference skipped (${error.message.split('\n')[0]}); install Debian's python3-sklearn`);
}
if (reference) {
  console.log(
    `ratio ${(ours.full / reference.full).toFixed(1)} (generations/s over all ${G} generations, both sides fitting the same training sets; goal ≥ 20, stretch ≥ 30)`,
  );
  console.log(`ratio ${(ours.early / reference.early).toFixed(1)} (generations/s over the first ${EARLY} alone)`);
  console.log(
    `ratio ${(typescriptOnly.full / reference.full).toFixed(1)} (all ${G}, with the TypeScript E-step, where WebAssembly SIMD is missing)`,
  );
}

// The full preset run: 2,001 generations with every metric, snapshots and checkpoints in a run folder.
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-bench-'));
const full = await runExperiment(resolveConfig('gmm'), { out });
console.log(
  `collapse-lab  full 'gmm' preset run: ${full.summary.wallSeconds.toFixed(2)} s for ${full.summary.generations} generations, every metric and the run folder`,
);
fs.rmSync(out, { recursive: true, force: true });
