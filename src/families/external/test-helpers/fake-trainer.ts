/**
 * A small trainer in plain Node for the external family's tests: a diagonal Gaussian for vectors, an add-one
 * unigram for text, deterministic from the seed it is given. A fault file (env FAULT_FILE) makes it fail on
 * purpose: `verb:mode[:n][:once]` fails the n-th request of `verb` in the process (default 1st) by `crash`
 * (exit 3), `hang` (never answer), `garbage` (a non-JSON line on stdout), `version` (hello answers protocol 99)
 * or `error` (an ok:false answer); `once` deletes the file as it fails, so a restarted process recovers.
 * FIT_MS makes each fit last that long, reporting progress as it goes; FIT_LOG gets a line as each fit starts;
 * PID_FILE collects the pids it ran as.
 */
export const FAKE_TRAINER = String.raw`
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

if (process.env.PID_FILE) fs.appendFileSync(process.env.PID_FILE, process.pid + '\n');
const models = new Map();
const calls = {};
let kind;
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const log = (s) => process.stderr.write(s + '\n');

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (u) => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const f64 = (file) => { const b = fs.readFileSync(file); return new Float64Array(b.buffer, b.byteOffset, b.length / 8); };
const i32 = (file) => { const b = fs.readFileSync(file); return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); };
const write = (file, arr) => fs.writeFileSync(file, Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));

function fault(verb) {
  const file = process.env.FAULT_FILE;
  calls[verb] = (calls[verb] ?? 0) + 1;
  if (!file || !fs.existsSync(file)) return undefined;
  const [v, mode, n = '1', once] = fs.readFileSync(file, 'utf8').trim().split(':');
  if (v !== verb || Number(n) !== calls[verb]) return undefined;
  if (once === 'once') fs.rmSync(file);
  log('fake trainer: about to ' + mode + ' at ' + verb);
  return mode;
}

async function handle(r) {
  const mode = fault(r.verb);
  if (mode === 'crash') process.exit(3);
  if (mode === 'hang') return new Promise(() => setInterval(() => {}, 1000));
  if (mode === 'garbage') return process.stdout.write('this is not json\n');
  if (mode === 'error') return send({ id: r.id, ok: false, error: 'deliberate failure at ' + r.verb });
  switch (r.verb) {
    case 'hello':
      kind = r.kind;
      return send({ id: r.id, ok: true, protocol: mode === 'version' ? 99 : 1, name: 'fake',
        capabilities: { kinds: ['vectors', 'text'], inits: ['scratch', 'previous'], decodings: ['sample'] } });
    case 'fit': {
      if (process.env.FIT_LOG) fs.appendFileSync(process.env.FIT_LOG, 'fit ' + r.generation + '\n');
      const ms = Number(process.env.FIT_MS ?? 0);
      for (let t = 0; t < ms; t += 50) {
        send({ event: 'progress', id: r.id, fraction: t / ms, phase: 'train' });
        await new Promise((res) => setTimeout(res, 50));
      }
      send({ event: 'progress', id: r.id, fraction: 0.5, phase: 'train', tokensPerSecond: 1000 });
      let model;
      if (kind === 'text') {
        const tokens = i32(r.items.tokens);
        const counts = new Float64Array(r.items.vocabSize).fill(1);
        for (const t of tokens) counts[t]++;
        const total = counts.reduce((a, b) => a + b, 0);
        model = { p: Array.from(counts, (c) => c / total) };
      } else {
        const x = f64(r.items.values);
        const d = r.items.shape[0], n = r.items.count;
        const mean = [], std = [];
        for (let j = 0; j < d; j++) {
          let s = 0; for (let i = 0; i < n; i++) s += x[i * d + j];
          const m = s / n; let q = 0; for (let i = 0; i < n; i++) q += (x[i * d + j] - m) ** 2;
          mean.push(m); std.push(Math.max(Math.sqrt(q / n), 1e-6));
        }
        model = { mean, std };
      }
      models.set(r.model, model);
      return send({ id: r.id, ok: true, metrics: { items: r.items.count, seedLow: r.seed % 1000 } });
    }
    case 'save':
      fs.writeFileSync(path.join(r.dir, 'params.json'), JSON.stringify(models.get(r.model)));
      return send({ id: r.id, ok: true });
    case 'load':
      models.set(r.model, JSON.parse(fs.readFileSync(path.join(r.dir, 'params.json'), 'utf8')));
      return send({ id: r.id, ok: true });
    case 'release':
      models.delete(r.model);
      return send({ id: r.id, ok: true });
    case 'generate': {
      const m = models.get(r.model), u = rng(r.seed);
      if (kind === 'text') {
        const n = r.prompts.count, out = new Int32Array(n * r.length);
        const cdf = []; let c = 0; for (const p of m.p) cdf.push((c += p));
        for (let i = 0; i < out.length; i++) { const v = u() * c; let k = 0; while (k < cdf.length - 1 && cdf[k] < v) k++; out[i] = k; }
        write(r.out.tokens, out);
      } else {
        const d = m.mean.length, out = new Float64Array(r.count * d);
        for (let i = 0; i < r.count; i++) for (let j = 0; j < d; j++) out[i * d + j] = m.mean[j] + m.std[j] * normal(u);
        write(r.out.values, out);
      }
      return send({ id: r.id, ok: true });
    }
    case 'score': {
      const m = models.get(r.model);
      if (kind === 'text') {
        const tokens = i32(r.items.tokens);
        write(r.out, Float64Array.from(tokens, (t) => Math.log(m.p[t])));
      } else {
        const x = f64(r.items.values), d = r.items.shape[0], out = new Float64Array(r.items.count);
        for (let i = 0; i < r.items.count; i++) for (let j = 0; j < d; j++) {
          const z = (x[i * d + j] - m.mean[j]) / m.std[j];
          out[i] += -0.5 * z * z - Math.log(m.std[j]) - 0.5 * Math.log(2 * Math.PI);
        }
        write(r.out, out);
      }
      return send({ id: r.id, ok: true });
    }
    case 'shutdown':
      send({ id: r.id, ok: true });
      process.exit(0);
  }
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => { queue = queue.then(() => handle(JSON.parse(line))); });
lines.on('close', () => queue.then(() => process.exit(0)));
`;
