// bench/gpt: the `gpt` family's network as the family trains and decodes it, side by side with PyTorch at the same
// thread count: training tokens/s of the reference shape (vocab 4096, d_model 128, 2 layers, 4 heads, 64 tokens,
// batch 16) against ../shared/bench/tinygpt_torch.py, and generation tokens/s (64 prompts of 64 tokens, 64 new
// tokens sampled) with the KV cache, without it (the whole sequence recomputed every step), and against
// bench/reference/tinygpt_generate_torch.py (a generate()-style cached loop). One `ratio` line per comparison
// (ours / PyTorch, or cached / uncached: above 1 is faster).
// Usage: npm run bench -- gpt [--threads 1,2] [--steps 20] [--repeats 3] [--batch 64] [--no-torch]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../dist/core/rng.js';
import { Adam, crossEntropy, Engine, reshape } from '../dist/engine/index.js';
import { loadNativeBackend } from '../dist/engine/native-backend.js';
import { drawPlain, sampleSession } from '../dist/families/gpt/decode.js';
import { GptNet } from '../dist/families/gpt/net.js';
import { GptSession, softmaxOverVocab } from '../dist/families/gpt/session.js';
import { findTorchPython, torchEnv } from './_torch.mjs';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    steps: { type: 'string', default: '20' },
    repeats: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const sharedDir = path.resolve(here, '..', '..', 'shared', 'bench');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now() / 1000;
const REPEATS = Number(values.repeats);
const STEPS = Number(values.steps);
const PROMPTS = Number(values.batch);
const PROMPT = 64;
const NEW = 64;

const python = values['no-torch'] ? null : findTorchPython();
if (!python) console.log(values['no-torch'] ? 'pytorch: disabled (--no-torch)' : 'pytorch: not found; no ratios');

/** A reference script's `tokens/s N`, its thread pools pinned to `threads` (see bench/engine.mjs). */
function torchRate(script, threads, args) {
  if (!python) return null;
  const t = String(threads);
  const env = torchEnv(threads);
  const out = execFileSync(python, [script, '--threads', t, '--repeats', String(REPEATS), ...args], {
    encoding: 'utf8',
    env,
  });
  const match = out.match(/tokens\/s (\d+)/);
  return match ? Number(match[1]) : null;
}

function report(what, ours, theirs, against) {
  console.log(`${what}: ${Math.round(ours)} tokens/s${theirs ? `, ${against} ${Math.round(theirs)}` : ''}`);
  if (theirs) console.log(`ratio ${what}: ${(ours / theirs).toFixed(2)}`);
}

/** Training tokens/s: the family's step (logits, cross-entropy, backward, AdamW) on random tokens. */
function trainRate(engine) {
  const spec = { vocab: 4096, dModel: 128, layers: 2, heads: 4, context: 64, positions: 'learned' };
  const net = new GptNet(engine, spec, 1);
  const params = Object.values(net.params());
  const opt = new Adam(params, { lr: 1e-3, weightDecay: 0.01, decoupled: true });
  const rng = new Rng(3);
  const B = 16;
  const ids = Int32Array.from({ length: B * 64 }, () => rng.int(4096));
  const targets = Int32Array.from({ length: B * 64 }, () => rng.int(4096));
  const step = () => {
    opt.zeroGrad();
    engine.tidy(() => engine.backward(crossEntropy(reshape(net.logits(ids, B), [-1, 4096]), targets)));
    opt.step();
  };
  for (let i = 0; i < 3; i++) step();
  const rates = [];
  for (let r = 0; r < REPEATS; r++) {
    const t = now();
    for (let i = 0; i < STEPS; i++) step();
    rates.push((B * 64 * STEPS) / (now() - t));
  }
  opt.dispose();
  return median(rates);
}

/** Generation tokens/s: PROMPTS prompts of 64 tokens, 64 new tokens each by ancestral sampling. */
function generateRates(engine) {
  const spec = { vocab: 4097, dModel: 128, layers: 2, heads: 4, context: 128, positions: 'learned' };
  const net = new GptNet(engine, spec, 2);
  const rng = new Rng(4);
  const prompts = Array.from({ length: PROMPTS }, () =>
    Int32Array.from({ length: PROMPT + 1 }, (_, i) => (i === 0 ? 4096 : rng.int(4096))),
  );
  const out = new Int32Array(PROMPTS * NEW);
  const options = { temperature: 1, topK: 0, topP: 1 };
  const cached = () => {
    const session = new GptSession(net, prompts, 1, NEW - 1);
    sampleSession(session, NEW, options, rng, out);
    session.dispose();
  };
  // Without a cache: every step reads the whole sequence so far and keeps the last position's distribution.
  const uncached = () => {
    const seqs = prompts.map((p) => Array.from(p));
    for (let t = 0; t < NEW; t++) {
      const L = seqs[0].length;
      const ids = Int32Array.from(seqs.flat());
      engine.tidy(() => {
        const logits = net.logits(ids, PROMPTS).data;
        const last = new Float32Array(PROMPTS * 4097);
        for (let r = 0; r < PROMPTS; r++)
          last.set(logits.subarray(((r + 1) * L - 1) * 4097, (r + 1) * L * 4097), r * 4097);
        const { probs } = softmaxOverVocab(engine, last, PROMPTS, 4097, 4096);
        for (let r = 0; r < PROMPTS; r++) seqs[r].push(drawPlain(probs.subarray(r * 4097, r * 4097 + 4096), rng));
      });
    }
  };
  const rate = (f) => {
    f();
    const rates = [];
    for (let r = 0; r < REPEATS; r++) {
      const t = now();
      f();
      rates.push((PROMPTS * NEW) / (now() - t));
    }
    return median(rates);
  };
  return { cached: rate(cached), uncached: rate(uncached) };
}

for (const threads of values.threads.split(',').map(Number)) {
  const engine = new Engine(loadNativeBackend(threads));
  console.log(`-- ${engine.backend.description}`);
  const train = trainRate(engine);
  report(
    `train, ${threads} thread${threads > 1 ? 's' : ''}`,
    train,
    torchRate(path.join(sharedDir, 'tinygpt_torch.py'), threads, ['--steps', String(STEPS)]),
    'pytorch',
  );
  const gen = generateRates(engine);
  const genArgs = ['--batch', String(PROMPTS), '--prompt', String(PROMPT), '--new', String(NEW)];
  report(
    `generate with KV cache, ${threads} thread${threads > 1 ? 's' : ''}`,
    gen.cached,
    torchRate(path.join(here, 'reference', 'tinygpt_generate_torch.py'), threads, genArgs),
    'pytorch (cached)',
  );
  report(
    `generate with KV cache against none, ${threads} thread${threads > 1 ? 's' : ''}`,
    gen.cached,
    gen.uncached,
    'without cache',
  );
}
