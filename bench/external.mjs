// bench/external: what the external protocol costs per generation. The same quick text run (torch_lm.py's
// defaults on 1,000 blocks of 64 tokens, 64-token continuations) goes through the lab twice: with torch_lm.py,
// and with a trainer that does no work but reads and writes every file (bench/external_null_trainer.py). The
// time the lab spends inside its requests to the null trainer is the protocol's cost (pipes, JSON lines, bulk
// files both ways); divided by a torch_lm.py generation it is the overhead. Process start-up (hello) is
// counted apart: it is paid once per run, not per generation.
// Usage: npm run bench -- external [--generations 4] [--blocks 1000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runExperiment } from '../dist/experiments/run.js';
import { Trainer } from '../dist/families/external/trainer.js';
import { findTorchPython } from './_torch.mjs';

const { values } = parseArgs({
  options: { generations: { type: 'string', default: '4' }, blocks: { type: 'string', default: '1000' } },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const python = findTorchPython();
if (!python) {
  console.log('bench/external: skipped, no Python here imports torch (apt-get install python3-torch)');
  process.exit(0);
}
const G = Number(values.generations);
const blocks = Number(values.blocks);

// Time inside the lab's requests (Trainer.run covers the request files, the round trips and the answer files).
let inside = 0;
let helloMs = 0;
const run = Trainer.prototype.run;
Trainer.prototype.run = async function timed(...args) {
  const t = performance.now();
  try {
    return await run.apply(this, args);
  } finally {
    inside += performance.now() - t;
  }
};
const open = Trainer.prototype.open;
Trainer.prototype.open = async function timedOpen(...args) {
  const t = performance.now();
  await open.apply(this, args);
  helloMs = performance.now() - t;
  inside -= helloMs; // open runs hello through run(): start-up is reported apart
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-bench-external-'));
const subjects = ['the cat', 'a dog', 'my bird', 'the old man', 'her friend', 'a child', 'the teacher'];
const verbs = ['sees', 'likes', 'follows', 'finds', 'draws', 'remembers'];
const objects = ['the red ball', 'a green hill', 'the river', 'some bread', 'a quiet town', 'the long road'];
let seed = 7;
const pick = (xs) => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length];
const lines = Array.from(
  { length: Math.ceil((blocks * 64 * 1.3) / 6) },
  () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)} .`,
);
const text = path.join(root, 'text.txt');
fs.writeFileSync(text, lines.join('\n'));

async function generationTimes(command) {
  inside = 0;
  const stamps = [];
  let started = performance.now();
  await runExperiment(
    {
      name: 'bench-external',
      generations: G,
      samplesPerGeneration: blocks,
      family: { type: 'external', command, fixedPrompts: 2 },
      real: { type: 'text', path: text, blockSize: 64 },
      snapshotGenerations: [],
    },
    {
      out: null,
      onGeneration: () => {
        const t = performance.now();
        stamps.push(t - started);
        started = t;
      },
    },
  );
  return { stamps, inside };
}

const torch = await generationTimes([python, path.join(here, '..', 'examples', 'external', 'torch_lm.py')]);
const torchHello = helloMs;
const nul = await generationTimes([python, path.join(here, 'external_null_trainer.py')]);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
// Generation 0 also fits the run's one-time work (rare types...); generations 1.. are the steady state.
const generation = mean(torch.stamps.slice(1));
const protocol = nul.inside / G;
console.log(`torch_lm.py generation (mean of generations 1..${G - 1}): ${(generation / 1000).toFixed(2)} s`);
console.log(`  time inside its requests, mean over generations 0..${G - 1}: ${(torch.inside / G / 1000).toFixed(2)} s`);
console.log(`null trainer, time inside requests: ${protocol.toFixed(1)} ms per generation`);
console.log(
  `start-up (process + hello), once per run: torch_lm.py ${torchHello.toFixed(0)} ms, null ${helloMs.toFixed(0)} ms`,
);
console.log(`protocol overhead per generation: ${((100 * protocol) / generation).toFixed(2)}% (goal < 2%)`);
fs.rmSync(root, { recursive: true, force: true });
