/**
 * The command line as people and scripts use it: the built CLI in a child process (`npm test` builds first).
 * Resume is tested the hard way: SIGKILL at arbitrary moments, then `resume`, until the run finishes; the
 * metrics must equal an uninterrupted run's, line for line.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig, runExperiment } from '../experiments/run.js';

const CLI = path.resolve('dist/cli/main.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-cli-'));
const cli = (args: string[], cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });

function metricsLines(dir: string): string[] {
  const file = path.join(dir, 'metrics.jsonl');
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.endsWith('}'))
    : [];
}

/** Starts a CLI process and SIGKILLs it once the run folder holds at least `lines` metrics lines. */
async function killAfter(child: ChildProcess, runDir: () => string | undefined, lines: number): Promise<boolean> {
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (;;) {
    const dir = runDir();
    if (dir && metricsLines(dir).length >= lines) {
      child.kill('SIGKILL');
      await exited;
      return true;
    }
    if (child.exitCode !== null) return false;
    await new Promise((r) => setTimeout(r, 3));
  }
}

describe('collapse-lab CLI', () => {
  it('has the built CLI (npm test builds it first)', () => {
    expect(fs.existsSync(CLI)).toBe(true);
  });

  for (const [label, overrides] of [
    ['gmm, replace, checkpoints every 50 ms', { checkpointSeconds: 0.05 }],
    ['gaussian, accumulate, a checkpoint every generation', { policy: { type: 'accumulate' }, checkpointSeconds: 0 }],
  ] as const) {
    it(`resumes after kill -9 with exactly the metrics of an uninterrupted run (${label})`, async () => {
      const preset = label.startsWith('gmm') ? 'gmm' : 'gaussian';
      const config = resolveConfig(preset, {
        generations: 240,
        samplesPerGeneration: 150,
        heldOutSize: 300,
        ...overrides,
      });
      const expected = (await runExperiment(config, { out: null })).metrics.map((m) => JSON.stringify(m));
      const out = tmp();
      const configFile = path.join(out, 'config.json');
      fs.writeFileSync(configFile, JSON.stringify(config));
      const runDir = () =>
        fs
          .readdirSync(out)
          .filter((f) => f !== 'config.json')
          .map((f) => path.join(out, f))[0];

      let child = spawn(process.execPath, [CLI, 'run', '--config', configFile, '--out', out], { stdio: 'ignore' });
      expect(await killAfter(child, runDir, 30)).toBe(true);
      let kills = 1;
      for (const target of [90, 160]) {
        child = spawn(process.execPath, [CLI, 'resume', runDir() as string], { stdio: 'ignore' });
        if (await killAfter(child, runDir, target)) kills++;
      }
      const finish = cli(['resume', runDir() as string, '--json']);
      expect(finish.status, finish.stderr).toBe(0);
      expect(JSON.parse(finish.stdout).resumedFrom).toBeGreaterThan(0);
      expect(kills).toBeGreaterThanOrEqual(2);
      expect(metricsLines(runDir() as string)).toEqual(expected);
      // Nothing half-written is left behind.
      expect(fs.readdirSync(path.join(runDir() as string, 'checkpoints')).filter((f) => f.includes('.tmp-'))).toEqual(
        [],
      );
    });
  }

  it('rejects bad flags and configs with exit code 2, naming the field and value, and writes nothing', () => {
    const out = tmp();
    const badFile = path.join(out, 'bad.yaml');
    fs.writeFileSync(
      badFile,
      'generations: 10\nsamplesPerGeneration: 100\nfamily:\n  type: gmm\n  components: two\nreal:\n  type: gaussian\n',
    );
    const cases: [string[], RegExp][] = [
      [['run', 'gmm', '--generations', 'ten'], /--generations: expected an integer ≥ 1 in decimal digits, got 'ten'/],
      [
        ['run', 'gmm', '--policy', 'recycle'],
        /--policy: expected one of replace, mix, accumulate, accumulate-subsample, .*got 'recycle'/,
      ],
      [['run', 'gmm', '--real-fraction', '0.2'], /--real-fraction: applies only with --policy mix/],
      [['run', 'gmm', '--parallel', '2'], /--parallel: applies only with --seeds N/],
      [
        ['run', 'gmm', '--policy', 'mix', '--real-fraction', '2'],
        /--real-fraction: expected a number in \[0, 1\], got '2'/,
      ],
      [['run', '--config', badFile], /family.components: .*expected number, received string \(got "two"\)/],
      [['run', 'nonsense'], /unknown preset 'nonsense'/],
      [['run', 'gmm', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['resume', path.join(out, 'nowhere')], /is not a collapse-lab run folder/],
      [['explode'], /unknown command 'explode'/],
      [
        ['run', 'gmm', '--data-dir', out],
        /--data-dir: applies to data-set real types \(wikitext, mnist\); this run's real data is 'gaussian'/,
      ],
      [
        ['data', 'fetch', 'imagenet'],
        /data: expected 'data fetch wikitext-2' or 'data fetch mnist', got 'fetch imagenet'/,
      ],
      [['data', 'fetch', 'mnist', '--variant', 'raw'], /--variant: applies to wikitext-2 only/],
      [['reproduce', '--quick', '--full'], /--quick and --full exclude each other/],
    ];
    for (const [args, message] of cases) {
      const result = cli(args[0] === 'run' ? [...args, '--out', path.join(out, 'runs')] : args, out);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(fs.existsSync(path.join(out, 'runs'))).toBe(false);
  });

  it('refuses to resume a run folder another live process holds, with exit code 2; list ignores the lock', () => {
    const out = tmp();
    const result = cli(['run', 'dice', '--generations', '5', '--out', out, '--json', '--no-report']);
    expect(result.status, result.stderr).toBe(0);
    const runDir = JSON.parse(result.stdout).runDir as string;
    expect(fs.readdirSync(runDir)).not.toContain('lock'); // released when the run ended
    // This test's own process is alive, so a lock naming it is live.
    const lock = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
    fs.writeFileSync(path.join(runDir, 'lock'), JSON.stringify(lock));
    const resume = cli(['resume', runDir]);
    expect(resume.status).toBe(2);
    expect(resume.stderr).toMatch(
      new RegExp(`${runDir} is in use by another collapse-lab process \\(pid ${process.pid} on .*remove .*lock`),
    );
    expect(JSON.parse(cli(['list', '--out', out, '--json']).stdout).runs).toEqual([
      expect.objectContaining({ dir: runDir, family: 'categorical', generationsDone: 5, status: 'finished' }),
    ]);
    expect(cli(['list', '--out', out]).stdout).toMatch(
      new RegExp(
        `${runDir} +categorical +replace +seed \\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +5/5 generations +finished +giniSimpson 0\\.\\d+`,
      ),
    );
  });

  it('runs a preset, prints the summary as JSON, lists the run and shows help', () => {
    const out = tmp();
    const result = cli(['run', 'dice', '--generations', '30', '--seed', '3', '--out', out, '--json', '--no-report']);
    expect(result.status, result.stderr).toBe(0);
    // Not a terminal: plain progress lines (no bar, no carriage returns), the first and the closing one.
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).toMatch(/^dice {2}gen 1\/30 {2}starting .*giniSimpson \S+\n/);
    expect(result.stderr).toMatch(/gen 30\/30 {2}\S+ gen\/s {2}ETA 0:00 .*\n$/);
    const summary = JSON.parse(result.stdout);
    expect(summary.files).toEqual({
      config: path.join(summary.runDir, 'config.json'),
      metrics: path.join(summary.runDir, 'metrics.jsonl'),
      summary: path.join(summary.runDir, 'summary.json'),
      metricsCsv: path.join(summary.runDir, 'metrics.csv'),
    });
    // metrics.csv: a header of the scalar metrics, then one row per generation, the same numbers as the JSON lines.
    const rows = fs.readFileSync(summary.files.metricsCsv, 'utf8').trim().split('\n');
    const jsonl = fs
      .readFileSync(summary.files.metrics, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(31);
    const header = rows[0].split(',');
    expect(header.slice(0, 2)).toEqual(['generation', 'trainSize']);
    const last = rows[30].split(',');
    // An empty cell is a metric that is null (undefined) there: pandas reads it as NaN.
    for (const [i, column] of header.entries())
      expect(last[i] === '' ? null : Number(last[i])).toBe(jsonl[29][column] ?? null);
    expect(summary).toMatchObject({ name: 'dice', generations: 30, seed: 3, policy: 'replace' });
    expect(fs.existsSync(path.join(summary.runDir, 'report.html'))).toBe(false);
    const list = cli(['list', '--out', out, '--json']);
    expect(JSON.parse(list.stdout).runs).toEqual([
      expect.objectContaining({ generationsDone: 30, status: 'finished' }),
    ]);
    for (const command of ['run', 'resume', 'list', 'data', 'compare', 'reproduce']) {
      const help = cli([command, '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: collapse-lab ${command}`));
    }
    expect(cli(['--help']).stdout).toMatch(/Commands:/);
  });
});
