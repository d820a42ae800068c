// bench/feedback: the feedback controller's acceptance bar (issue 18). The `mitigations` preset (a 1-D Gaussian
// refitted by MLE, 100 samples a generation) under filter + feedback, each controller over the same seeds:
// the settling time (the first generation from which every seed's variance stays within ±15% of the truth, 1),
// the worst deviation from then on and from generation --after on, and the share of generations within ±15%.
// Usage: npm run bench -- feedback [--seeds 20] [--generations 500] [--after 10] [--controllers spread,pi-v1]
//        [--steps 0.3] (spread's step; several, comma-separated, to compare)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    generations: { type: 'string', default: '500' },
    after: { type: 'string', default: '10' },
    controllers: { type: 'string', default: 'spread,pi-v1' },
    steps: { type: 'string', default: '' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const dist = (p) => path.join(here, '..', 'dist', p);
const { resolveConfig, runExperiment } = await import(dist('index.js'));
const { settledFrom, worstDeviation } = await import(dist('metrics/settling.js'));

const seeds = Number(values.seeds);
const generations = Number(values.generations);
const after = Number(values.after);
const TOLERANCE = 0.15;

const variants = values.controllers
  .split(',')
  .flatMap((controller) =>
    controller === 'spread' && values.steps
      ? values.steps
          .split(',')
          .map((step) => ({ label: `spread step ${step}`, feedback: { controller, step: Number(step) } }))
      : [{ label: controller, feedback: { controller } }],
  );

console.log(
  `mitigations preset, filter + feedback: ${seeds} seeds × ${generations} generations, tolerance ±${TOLERANCE * 100}%`,
);
for (const { label, feedback } of variants) {
  const started = performance.now();
  const runs = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const config = resolveConfig('mitigations', { seed, generations, policy: { feedback } });
    const { metrics } = await runExperiment(config, { out: null });
    runs.push(metrics.map((m) => m.variance));
  }
  const settled = runs.map((v) => settledFrom(v, 1, TOLERANCE));
  const settling = settled.includes(null) ? null : Math.max(...settled);
  const within = runs.flatMap((v) => v.slice(after)).filter((x) => Math.abs(x - 1) <= TOLERANCE).length;
  const total = runs.reduce((n, v) => n + Math.max(0, v.length - after), 0);
  const worstAfter = Math.max(...runs.map((v) => worstDeviation(v, 1, after)));
  const worstSettled = settling === null ? Number.NaN : Math.max(...runs.map((v) => worstDeviation(v, 1, settling)));
  const finals = runs.map((v) => v.at(-1));
  console.log(
    [
      `${label}:`,
      `settled by generation ${settling ?? 'never (a seed ends outside ±15%)'}`,
      `(seeds settled: ${settled.filter((s) => s !== null && s <= after).length} of ${seeds} by generation ${after};`,
      `latest ${settled.includes(null) ? 'never' : Math.max(...settled)})`,
      `| worst |σ²−1| from generation ${after}: ${worstAfter.toFixed(3)}`,
      `| after settling: ${Number.isNaN(worstSettled) ? '–' : worstSettled.toFixed(3)}`,
      `| within ±15% from generation ${after}: ${within}/${total} (${((100 * within) / total).toFixed(2)}%)`,
      `| final variance ${Math.min(...finals).toFixed(3)}–${Math.max(...finals).toFixed(3)}`,
      `| ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join(' '),
  );
}
