// bench/engine: the neural engine against PyTorch on this machine. Prints GEMM GFLOP/s per backend (as a
// fraction of one core's measured FMA peak), then training throughput of the three reference models, each
// side by side with its PyTorch CPU reference in ../shared/bench/ run with the same thread count, and one
// `ratio` line per model and backend (ours / PyTorch throughput: above 1 means faster than PyTorch).
// Usage: npm run bench -- engine [--threads N] [--backends native,wasm,wasm-relaxed] [--gpt-steps N] [--repeats N]
//        [--vae-samples N] [--conv-samples N] [--wasm-conv-samples N] [--models tinygpt,vae,convvae] [--no-gemm] [--memory-steps N]
//        [--no-torch]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import {
  Adam,
  ConvVae,
  Engine,
  EngineRandom,
  gemmCall,
  MlpVae,
  REFERENCE_CONV_VAE,
  REFERENCE_GPT,
  REFERENCE_MLP_VAE,
  TinyGpt,
} from '../dist/engine/index.js';
import { loadNativeBackend } from '../dist/engine/native-backend.js';
import { loadWasmBackend } from '../dist/engine/wasm-node.js';
import { findTorchPython, torchEnv } from './_torch.mjs';

// Node 20 validates relaxed-SIMD modules only behind this flag (on by default from Node 22); it must be set before
// the first module compiles, so the `wasm-relaxed` backend (fused multiply-add) can be measured beside `wasm`.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: process.env.COLLAPSE_LAB_THREADS ?? '1' },
    backends: { type: 'string', default: 'native,wasm,wasm-relaxed' },
    'gpt-steps': { type: 'string', default: '20' },
    repeats: { type: 'string', default: '3' },
    'vae-samples': { type: 'string', default: '60000' },
    'conv-samples': { type: 'string', default: '6000' },
    // The WebAssembly backend is ~3x slower: a smaller slice keeps the default run to a few minutes.
    'wasm-conv-samples': { type: 'string', default: '1024' },
    models: { type: 'string', default: 'tinygpt,vae,convvae' },
    'no-gemm': { type: 'boolean', default: false },
    'memory-steps': { type: 'string', default: '0' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const THREADS = Number(values.threads);
const REPEATS = Number(values.repeats);
const here = path.dirname(fileURLToPath(import.meta.url));
const referenceDir = path.resolve(here, '..', '..', 'shared', 'bench');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now() / 1000;

// ---- PyTorch references ----------------------------------------------------------------------------------
const python = values['no-torch'] ? null : findTorchPython();
if (values['no-torch']) console.log('pytorch: comparisons disabled (--no-torch)');
else if (!python) console.log('pytorch: not found (install python3-torch); comparisons are skipped');
else if (!fs.existsSync(referenceDir)) console.log(`pytorch: reference scripts not found in ${referenceDir}`);
/** Runs one PyTorch reference script and returns the figure its final line reports (null without PyTorch). */
function torch(script, args, pattern) {
  if (!python || !fs.existsSync(referenceDir)) return null;
  const threads = args[args.indexOf('--threads') + 1];
  // torch.set_num_threads governs ATen's own loops, but Debian's torch does its matrix products in the system
  // OpenBLAS (pthreads build), which starts one thread per core unless told otherwise: without these variables a
  // `--threads 1` reference used 1.35 cores here. Pin every pool so "equal threads" holds (_torch.mjs torchEnv).
  const env = torchEnv(threads);
  const out = execFileSync(python, [path.join(referenceDir, script), ...args], { encoding: 'utf8', env });
  const match = out.match(pattern);
  return match ? Number(match[1]) : null;
}

// ---- backends --------------------------------------------------------------------------------------------
const backends = [];
for (const name of values.backends.split(',')) {
  try {
    if (name === 'native') backends.push(loadNativeBackend(THREADS));
    else if (name === 'wasm' || name === 'wasm-relaxed') {
      const be = loadWasmBackend({ relaxed: name === 'wasm-relaxed' });
      if (name === 'wasm-relaxed' && !be.relaxed) throw new Error('this runtime has no relaxed SIMD');
      backends.push(be);
    } else throw new Error(`unknown backend (use native, wasm or wasm-relaxed)`);
  } catch (error) {
    console.log(`${name}: unavailable (${error.message}); skipped`);
  }
}
const peak = (() => {
  try {
    const n = loadNativeBackend(1);
    return { gflops: n.fmaPeakGflops(), isa: n.isa };
  } catch {
    return null;
  }
})();
if (peak?.gflops) console.log(`fma peak: ${peak.gflops.toFixed(1)} GFLOP/s per core (${peak.isa}, measured)`);

// ---- GEMM ------------------------------------------------------------------------------------------------
// The models' shapes: GPT projections and tied output layer (1024 tokens), MLP VAE layers (batch 128),
// conv VAE's e2 im2col product. Each in NN, NT and TN layout, as forward and backward use them.
const SHAPES = [
  [1024, 384, 128],
  [1024, 512, 128],
  [1024, 4096, 128],
  [128, 400, 784],
  [128, 6272, 1024],
];
function gemmRate(be, m, n, k, transA, transB) {
  const a = be.alloc(m * k);
  const b = be.alloc(k * n);
  const c = be.alloc(m * n);
  const rng = new EngineRandom(1);
  rng.fillUniform(a, -1, 1);
  rng.fillUniform(b, -1, 1);
  const call = gemmCall({ transA, transB, m, n, k, a, b, c });
  be.gemm(call);
  let reps = 0;
  const t0 = now();
  let dt = 0;
  while (dt < 0.25) {
    be.gemm(call);
    reps++;
    dt = now() - t0;
  }
  be.free(a);
  be.free(b);
  be.free(c);
  return (2 * m * n * k * reps) / dt / 1e9;
}

/**
 * GFLOP/s of bench/reference/wasm-5x8.ts (the issue's WebAssembly kernel design) alone on L1-resident slivers,
 * compiled here with the project's asc; null if it cannot be built.
 */
function issueKernelGflops() {
  const source = path.join(here, 'reference', 'wasm-5x8.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-bench-'));
  const out = path.join(dir, 'wasm-5x8.wasm');
  let bytes;
  try {
    const asc = path.join(here, '..', 'node_modules', '.bin', 'asc');
    const flags = ['-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--initialMemory', '1'];
    execFileSync(asc, [source, '-o', out, ...flags], { stdio: 'ignore' });
    bytes = fs.readFileSync(out);
  } catch (error) {
    console.log(`gemm wasm reference: could not compile ${source} (${error.message.split('\n')[0]})`);
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const { microKernelLoop, memory } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { abort: () => {} },
  }).exports;
  const kc = 256;
  new Float32Array(memory.buffer, 0, kc * 13 + 40).fill(1e-3);
  microKernelLoop(2000, kc); // tier up
  let reps = 0;
  const t0 = now();
  while (now() - t0 < 0.3) {
    microKernelLoop(2000, kc);
    reps += 2000;
  }
  return (2 * 5 * 8 * kc * reps) / (now() - t0) / 1e9;
}

const MODELS = new Set(values.models.split(','));
/** native, wasm or wasm-relaxed: the name printed on `ratio` lines. */
function labelOf(be) {
  return be.name === 'wasm' && be.relaxed ? 'wasm-relaxed' : be.name;
}
for (const be of values['no-gemm'] ? [] : backends) {
  const rates = [];
  const perShape = [];
  for (const [m, n, k] of SHAPES) {
    const r = [
      [false, false],
      [false, true],
      [true, false],
    ].map(([tA, tB]) => gemmRate(be, m, n, k, tA, tB));
    rates.push(...r);
    perShape.push(`${m}x${n}x${k} ${r.map((x) => x.toFixed(1)).join('/')}`);
  }
  const geo = Math.exp(rates.reduce((s, x) => s + Math.log(x), 0) / rates.length);
  const ofPeak = peak?.gflops ? ` = ${((100 * geo) / (peak.gflops * be.threads)).toFixed(0)}% of FMA peak` : '';
  console.log(`gemm ${be.description}: geomean ${geo.toFixed(1)} GFLOP/s${ofPeak} (NN/NT/TN: ${perShape.join(', ')})`);
  if (be.name === 'wasm') {
    // The WebAssembly target is relative to a kernel ceiling: our micro-kernel alone (data in L1), and the issue's
    // 5 x 8 mul + add kernel (its table's 42 GFLOP/s on another machine) re-measured here.
    const ceiling = be.microKernelGflops();
    console.log(
      `gemm ${labelOf(be)} ceiling: micro-kernel alone ${ceiling.toFixed(1)} GFLOP/s; whole GEMM at ${((100 * geo) / ceiling).toFixed(0)}% of it`,
    );
    if (!be.relaxed) {
      const reference = issueKernelGflops();
      if (reference)
        console.log(
          `gemm wasm reference: the issue's 5x8 mul+add micro-kernel alone ${reference.toFixed(1)} GFLOP/s here; whole GEMM at ${((100 * geo) / reference).toFixed(0)}% of it`,
        );
    }
  }
}

// ---- models ----------------------------------------------------------------------------------------------
// Each model returns a function that measures one repeat (after its own warm-up). Our repeats alternate with
// PyTorch's (one `--repeats 1` run each), so both sides see the same machine load; the medians are compared.
function gptRepeat(be) {
  const E = new Engine(be);
  const cfg = REFERENCE_GPT;
  const B = 16;
  const T = cfg.context;
  const model = new TinyGpt(E, cfg, 0);
  const opt = new Adam(Object.values(model.params()), { lr: 1e-3 });
  const rng = new EngineRandom(3);
  const ids = Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * cfg.vocab));
  const targets = Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * cfg.vocab));
  const step = () => {
    opt.zeroGrad();
    E.tidy(() => E.backward(model.loss(ids, targets, B)));
    opt.step();
  };
  for (let i = 0; i < 3; i++) step();
  const steps = Number(values['gpt-steps']);
  return () => {
    const t0 = now();
    for (let i = 0; i < steps; i++) step();
    return (B * T * steps) / (now() - t0);
  };
}

function bernoulliInputs(n, dim, seed) {
  const rng = new EngineRandom(seed);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() > 0.8 ? 1 : 0;
  return data;
}

function convSamples(be) {
  return be.name === 'wasm' ? values['wasm-conv-samples'] : values['conv-samples'];
}

function vaeRepeat(be, kind) {
  const E = new Engine(be);
  const conv = kind === 'conv';
  const samples = Number(conv ? convSamples(be) : values['vae-samples']);
  const batch = conv ? 256 : 128;
  const dim = 784;
  const model = conv ? new ConvVae(E, REFERENCE_CONV_VAE, 0) : new MlpVae(E, REFERENCE_MLP_VAE, 0);
  const opt = new Adam(Object.values(model.params()), conv ? { lr: 1e-3, weightDecay: 1e-5, decoupled: false } : {});
  const data = bernoulliInputs(samples, dim, 5);
  const noise = new EngineRandom(9);
  const step = (i) => {
    const n = Math.min(batch, samples - i);
    opt.zeroGrad();
    E.tidy(() => {
      const x = E.tensor(conv ? [n, 1, 28, 28] : [n, dim], data.subarray(i * dim, (i + n) * dim));
      E.backward(model.loss(x, noise));
    });
    opt.step();
  };
  step(0); // warm-up: first-touch allocation of every buffer the step uses
  return () => {
    const t0 = now();
    for (let i = 0; i < samples; i += batch) step(i);
    return now() - t0;
  };
}

function sideBySide(rounds, ours, theirs) {
  const a = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    a.push(ours());
    const t = theirs();
    if (t != null) b.push(t);
  }
  return [median(a), b.length > 0 ? median(b) : null];
}

function report(model, be, [ours, theirs], unit, higherIsBetter) {
  const fmt = (x) => (unit === 'tokens/s' ? x.toFixed(0) : x.toFixed(2));
  const label = `${labelOf(be)} threads=${be.threads}`;
  if (theirs == null) {
    console.log(`${model} ${be.description}: ${fmt(ours)} ${unit} (no PyTorch figure)`);
    return;
  }
  const ratio = higherIsBetter ? ours / theirs : theirs / ours;
  console.log(
    `${model} ${be.description}: ${fmt(ours)} ${unit}; pytorch threads=${be.threads}: ${fmt(theirs)} ${unit}`,
  );
  console.log(`ratio ${model} ${label} ${ratio.toFixed(2)}`);
}

const VAE_ROUNDS = Math.max(1, REPEATS - 1);
for (const be of backends) {
  const t = String(be.threads);
  if (MODELS.has('tinygpt')) {
    const args = ['--threads', t, '--steps', values['gpt-steps'], '--repeats', '1'];
    const theirs = () => torch('tinygpt_torch.py', args, /tokens\/s (\S+)/);
    report('tinygpt', be, sideBySide(REPEATS, gptRepeat(be), theirs), 'tokens/s', true);
  }
  if (MODELS.has('vae')) {
    const args = ['--threads', t, '--samples', values['vae-samples'], '--repeats', '1'];
    const theirs = () => torch('vae_torch.py', args, /seconds\/epoch (\S+)/);
    const unit = `s/epoch (${values['vae-samples']} inputs)`;
    report('vae', be, sideBySide(VAE_ROUNDS, vaeRepeat(be, 'mlp'), theirs), unit, false);
  }
  if (MODELS.has('convvae')) {
    const args = ['--threads', t, '--samples', convSamples(be), '--repeats', '1'];
    const theirs = () => torch('convvae_torch.py', args, /seconds\/epoch (\S+)/);
    const unit = `s/epoch (${convSamples(be)} inputs)`;
    report('convvae', be, sideBySide(VAE_ROUNDS, vaeRepeat(be, 'conv'), theirs), unit, false);
  }
}

// ---- memory ----------------------------------------------------------------------------------------------
const memorySteps = Number(values['memory-steps']);
if (memorySteps > 0 && backends.length > 0) {
  const be = backends[0];
  const E = new Engine(be);
  const model = new TinyGpt(E, REFERENCE_GPT, 0);
  const opt = new Adam(Object.values(model.params()), { lr: 1e-3 });
  const rng = new EngineRandom(3);
  const ids = Int32Array.from({ length: 16 * 64 }, () => Math.floor(rng.uniform() * 4096));
  const rss = [];
  for (let i = 1; i <= memorySteps; i++) {
    opt.zeroGrad();
    E.tidy(() => E.backward(model.loss(ids, ids, 16)));
    opt.step();
    if (i % Math.max(1, Math.floor(memorySteps / 10)) === 0) rss.push(process.memoryUsage().rss / 2 ** 20);
  }
  const peakRss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `memory tinygpt ${be.description}: rss after each tenth of ${memorySteps} steps ${rss.map((x) => x.toFixed(0)).join(' ')} MiB; peak ${peakRss.toFixed(0)} MiB`,
  );
}
