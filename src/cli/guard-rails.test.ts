/** The CLI's guard rails: --set, config-relative paths, the report command, reproduce --data-dir. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfigPaths, setOverrides } from '../experiments/config-file.js';

const CLI = path.resolve('dist/cli/main.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-rails-'));
const cli = (args: string[], cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });

describe('--set', () => {
  it('builds nested overrides with YAML-typed values, and names a malformed one', () => {
    expect(
      setOverrides(['family.components=3', 'policy={type: mix, realFraction: 0.25}', 'name=abc', 'x.y=[1, 2]']),
    ).toEqual({
      family: { components: 3 },
      policy: { type: 'mix', realFraction: 0.25 },
      name: 'abc',
      x: { y: [1, 2] },
    });
    expect(() => setOverrides(['generations'])).toThrow(/--set: expected key=value .* got 'generations'/);
    expect(() => setOverrides(['a..b=1'])).toThrow(/--set: expected key=value/);
    expect(() => setOverrides(['__proto__.polluted=1'])).toThrow(/'__proto__' is not a setting/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => setOverrides(['a=1', 'a.b=2'])).toThrow(/--set a\.b: 'a' was already set to a value/);
  });

  it('overrides config fields on the command line; an unknown field exits 2 naming it', () => {
    const out = tmp();
    const args = ['run', 'gmm', '--set', 'family.components=2', '--set', 'generations=2', '--out', out];
    const ok = cli([...args, '--json', '--no-report', '--progress', 'none']);
    expect(ok.status, ok.stderr).toBe(0);
    const config = JSON.parse(fs.readFileSync(JSON.parse(ok.stdout).files.config, 'utf8'));
    expect(config.family.components).toBe(2);
    expect(config.generations).toBe(2);
    const bad = cli(['run', 'gaussian', '--set', 'family.componets=2', '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/family: Unrecognized key: "componets"/);
  });
});

describe('did you mean', () => {
  it('suggests the near-miss flag, command, preset and experiment, with exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['run', 'dice', '--generatons', '5'], /Unknown option '--generatons' \(did you mean --generations\?\)/],
      [['rnu', 'dice'], /unknown command 'rnu' \(did you mean 'run'\?\)/],
      [['run', 'gausian'], /unknown preset 'gausian' \(did you mean 'gaussian'\?\)/],
      [['reproduce', '--only', 'gmn'], /unknown experiment 'gmn' \(did you mean 'gmm'\?\)/],
    ];
    for (const [args, message] of cases) {
      const result = cli(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    // Nothing close: no guess.
    expect(cli(['run', 'dice', '--zzzzzzzz']).stderr).not.toContain('did you mean');
  });
});

describe('config files', () => {
  it('resolve relative paths against the file, wherever the command runs from', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'configs', 'data'), { recursive: true });
    const vectors = Array.from({ length: 200 }, (_, i) => `${Math.sin(i)},${Math.cos(i * 1.3)}`).join('\n');
    fs.writeFileSync(path.join(dir, 'configs', 'data', 'points.csv'), `${vectors}\n`);
    const config = {
      name: 'from-file',
      generations: 2,
      samplesPerGeneration: 50,
      family: { type: 'gaussian' },
      real: { type: 'file', path: 'data/points.csv' },
    };
    fs.writeFileSync(path.join(dir, 'configs', 'run.json'), JSON.stringify(config));
    const elsewhere = tmp();
    const result = cli(
      ['run', '--config', path.join(dir, 'configs', 'run.json'), '--out', 'runs', '--json', '--no-report'],
      elsewhere,
    );
    expect(result.status, result.stderr).toBe(0);
    const written = JSON.parse(fs.readFileSync(path.join(elsewhere, JSON.parse(result.stdout).files.config), 'utf8'));
    expect(written.real.path).toBe(path.join(dir, 'configs', 'data', 'points.csv'));
  });

  it('resolve a family’s nested path option too (gpt base.corpus), and leave absolute ones', () => {
    const family = (corpus: string) =>
      (
        resolveConfigPaths({ family: { type: 'gpt', base: { epochs: 2, corpus } } }, '/data/configs').family as {
          base: { corpus: string; epochs: number };
        }
      ).base;
    expect(family('texts/base.txt')).toEqual({ epochs: 2, corpus: '/data/configs/texts/base.txt' });
    expect(family('/elsewhere/base.txt').corpus).toBe('/elsewhere/base.txt');
  });
});

describe('report', () => {
  it("rebuilds a --no-report run's report in place, and refuses a folder that is not a run", () => {
    const out = tmp();
    const run = cli(['run', 'dice', '--generations', '5', '--out', out, '--no-report', '--json', '--progress', 'none']);
    const dir = JSON.parse(run.stdout).runDir as string;
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(false);
    const before = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
    const report = cli(['report', dir]);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout.trim()).toBe(`report: ${path.join(dir, 'report.html')}`);
    expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<svg');
    expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).toBe(before);
    const notRun = cli(['report', out]);
    expect(notRun.status).toBe(2);
    expect(notRun.stderr).toMatch(/is not a run folder \(no config.json\) nor a sweep folder/);
  });
});

describe('reproduce --data-dir', () => {
  it('refuses a data folder that does not exist before it starts anything', () => {
    const out = path.join(tmp(), 'suite');
    const result = cli(['reproduce', '--quick', '--only', 'ngram', '--data-dir', '/nonexistent/data', '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--data-dir: '\/nonexistent\/data' is not a folder/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
