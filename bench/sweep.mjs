// bench/sweep: a 16-trial gmm sweep (the paper's loop, 1,000 generations a trial) on this machine's pool, and on
// a BullMQ queue served by 1 and by 2 workers against a redis-server started here. Prints each wall time, the
// speed-up from 1 to 2 workers (goal ≥ 1.8 on 2 cores) and the queue's overhead per trial against the same
// trials run one after another locally (goal < 5%). The four set-ups take turns, --reps times, and each figure is
// the median over the repetitions with its range: on a shared machine one run of each says little.
// Usage: npm run bench -- sweep [--generations N] [--trials N] [--reps N]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    generations: { type: 'string', default: '1000' },
    trials: { type: 'string', default: '16' },
    reps: { type: 'string', default: '3' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '..', 'dist', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sweep-'));
const trials = Number(values.trials);
const spec = path.join(dir, 'spec.json');
fs.writeFileSync(
  spec,
  JSON.stringify({
    name: 'bench',
    preset: 'gmm',
    config: { generations: Number(values.generations), snapshotGenerations: [] },
    seeds: trials,
  }),
);

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function timed(args) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`collapse-lab ${args.join(' ')} failed:\n${r.stderr}`);
  return (performance.now() - started) / 1000;
}

/**
 * CPU seconds of this process's children that have ended (Linux: cutime + cstime in /proc/self/stat, at the usual
 * 100 ticks a second). Other work on a shared machine stretches wall times, not these, so the queue's own cost
 * shows here even when the wall times are noise. Undefined where /proc is missing.
 */
function childCpu() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** Wall seconds of `run()`, and the CPU seconds of every process it started and saw end. */
async function measured(run) {
  const cpu = childCpu();
  const wall = await run();
  return { wall, cpu: cpu === undefined ? undefined : childCpu() - cpu };
}

const port = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
  { stdio: 'ignore' },
);
const url = `redis://127.0.0.1:${port}`;
for (
  let i = 0;
  i < 50 &&
  spawnSync('redis-cli', ['-p', String(port), 'ping'])
    .stdout?.toString()
    .trim() !== 'PONG';
  i++
)
  await sleep(100);

async function withWorkers(n, out) {
  const workers = Array.from({ length: n }, () =>
    spawn(process.execPath, [CLI, 'worker', '--queue', url, '--queue-name', out], { cwd: dir, stdio: 'ignore' }),
  );
  await sleep(1500); // started and connected before the clock starts
  try {
    return timed(['sweep', spec, '--out', out, '--queue', url, '--queue-name', out, '--no-report']);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((resolve) => w.on('exit', resolve))));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs, digits, unit = '') =>
  `${median(xs).toFixed(digits)}${unit} (range ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}${unit})`;

try {
  const times = { serial: [], pool: [], one: [], two: [] };
  const cpu = { serial: [], pool: [], one: [], two: [] };
  const setups = {
    serial: (rep) => timed(['sweep', spec, '--out', `serial${rep}`, '--parallel', '1', '--no-report']),
    pool: (rep) => timed(['sweep', spec, '--out', `pool${rep}`, '--no-report']),
    one: (rep) => withWorkers(1, `one${rep}`),
    two: (rep) => withWorkers(2, `two${rep}`),
  };
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const [name, run] of Object.entries(setups)) {
      const m = await measured(() => run(rep));
      times[name].push(m.wall);
      if (m.cpu !== undefined) cpu[name].push(m.cpu);
    }
    console.error(
      `rep ${rep + 1}: ${Object.keys(setups)
        .map(
          (k) => `${k} ${times[k].at(-1).toFixed(2)} s${cpu[k].length ? ` (CPU ${cpu[k].at(-1).toFixed(1)} s)` : ''}`,
        )
        .join(' · ')}`,
    );
  }
  const per = (f) => times.serial.map((_, i) => f(i));
  const overhead = per((i) => ((times.one[i] - times.serial[i]) / times.serial[i]) * 100);
  console.log(
    `${trials} gmm trials of ${values.generations} generations, ${os.availableParallelism()} cores, ${values.reps} repetitions: median (range)`,
  );
  for (const [name, label] of [
    ['serial', 'local, one after another  '],
    ['pool', 'local pool                 '],
    ['one', 'queue, 1 worker            '],
    ['two', 'queue, 2 workers           '],
  ])
    console.log(
      `${label} ${spread(times[name], 2, ' s')}${cpu[name].length ? `, CPU ${spread(cpu[name], 1, ' s')}` : ''}`,
    );
  console.log(
    `queue overhead per trial    ${spread(overhead, 1, '%')} (1 worker against one after another; goal < 5%)`,
  );
  if (cpu.one.length)
    console.log(
      `  in CPU time               ${spread(
        per((i) => ((cpu.one[i] - cpu.serial[i]) / cpu.serial[i]) * 100),
        1,
        '%',
      )} (coordinator, worker and processor start-up included)`,
    );
  console.log(
    `ratio ${spread(
      per((i) => times.one[i] / times.two[i]),
      2,
    )} (speed-up from 1 to 2 workers; goal ≥ 1.8)`,
  );
  console.log(
    `local pool's own speed-up   ${spread(
      per((i) => times.serial[i] / times.pool[i]),
      2,
    )} (the most 2 workers can get here)`,
  );
} finally {
  redis.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
}
