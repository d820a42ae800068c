/**
 * The README tells the truth: every `npx collapse-lab …` line of its bash blocks runs, in a fresh copy of the
 * repository's tracked files, and exits 0; a number a comment promises (`# → testPerplexity 502.1418`) is one
 * the command prints; a yaml block named `# file.yaml` is written first, as a reader would save it; and the
 * config example is exactly the file it says it is. Lines that cannot run here say why below.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve('.');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DATA = process.env.COLLAPSE_LAB_DATA;
const hasData = DATA !== undefined && fs.existsSync(path.join(DATA, 'wikitext-2'));

/** Lines not run, and why: each is covered elsewhere or cannot run on a test machine. */
const NOT_RUN: readonly [RegExp, string][] = [
  [/^npm (ci|test)\b/, 'setup and the test suite itself'],
  [/reproduce --quick\s*$/, "the main job: src/experiments/reproduce.test.ts runs the suite's experiments"],
  [/<[A-Za-z][^>]*>/, 'a template: <runDir> stands for a folder of yours'],
  [/data fetch/, 'downloads: nothing may be fetched here (the loaders read --data-dir)'],
  [/--queue|\bworker\b|redis-server/, 'a Redis fleet: the sweep tests start a real redis-server'],
  [/sweep sweep-keep-real/, '90 trials (~40 s): the sweep tests run the same code on a smaller grid'],
  [/collapse-lab serve\b/, 'a server that runs until stopped: src/server/web.browser.test.ts starts it in Chromium'],
];

/** Whole blocks not run, and why. */
const BLOCKS_NOT_RUN: readonly [RegExp, string][] = [
  [/hf_causal_lm\.py/, "the paper's OPT-125m on a GPU: transformers, the weights and a GPU (hf.test.ts runs it there)"],
];

function bashBlocks(markdown: string, skipped: string[]): string[] {
  return [...markdown.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => {
    const reason = BLOCKS_NOT_RUN.find(([pattern]) => pattern.test(m[1]))?.[1];
    if (reason) {
      skipped.push(`a block of ${m[1].split('\n').length - 1} lines (${reason})`);
      return [];
    }
    return m[1].split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  });
}

/** A copy of the tracked files (the repository as a fresh clone has it), with the built package linked in. */
function freshCopy(): { dir: string; bin: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-readme-'));
  const dir = path.join(base, 'repo');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of tracked) {
    if (!fs.existsSync(path.join(ROOT, file))) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  for (const built of ['node_modules', 'dist']) fs.symlinkSync(path.join(ROOT, built), path.join(dir, built));
  // `../shared/data`, as the README writes it, is the data folder the tests were given.
  if (DATA) {
    fs.mkdirSync(path.join(base, 'shared'));
    fs.symlinkSync(path.resolve(DATA), path.join(base, 'shared', 'data'));
  }
  // `npx collapse-lab` runs this checkout's build, as it does in a clone after `npm ci`.
  const bin = path.join(base, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'npx'),
    `#!/bin/sh\nif [ "$1" = collapse-lab ]; then shift; exec "${process.execPath}" "${path.join(dir, 'dist/cli/main.js')}" "$@"; fi\nexec npx "$@"\n`,
    { mode: 0o755 },
  );
  return { dir, bin };
}

describe('README', () => {
  it('shows the config example that examples/my-experiment.yaml holds', () => {
    const block = /A config file names[\s\S]*?```yaml\n([\s\S]*?)```/.exec(README)?.[1] as string;
    const file = fs.readFileSync(path.join(ROOT, 'examples', 'my-experiment.yaml'), 'utf8');
    expect(parseYaml(block)).toEqual(parseYaml(file));
  });

  it('runs every npx collapse-lab line of its bash blocks, and prints every number a comment promises', () => {
    const { dir, bin } = freshCopy();
    for (const [, name, body] of README.matchAll(/```yaml\n# ([\w.-]+\.ya?ml)\n([\s\S]*?)```/g))
      fs.writeFileSync(path.join(dir, name), body);
    const skipped: string[] = [];
    const timings: string[] = [];
    let ran = 0;
    for (const line of bashBlocks(README, skipped)) {
      const [command, comment = ''] = line.split(/\s#\s/);
      const reason = NOT_RUN.find(([pattern]) => pattern.test(command))?.[1];
      if (reason) {
        skipped.push(`${line.trim()}  (${reason})`);
        continue;
      }
      if (!line.startsWith('npx collapse-lab'))
        throw new Error(`README line the test does not know how to run: ${line}`);
      if (/data-dir|ngram/.test(line) && !hasData) {
        skipped.push(`${line.trim()}  (needs WikiText-2: set COLLAPSE_LAB_DATA)`);
        continue;
      }
      const started = performance.now();
      const result = spawnSync('bash', ['-c', command], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        timeout: 180_000,
      });
      expect(result.status, `${command}\n${result.stderr}`).toBe(0);
      const promised = /→\s*(.*)$/.exec(comment)?.[1];
      for (const number of promised?.match(/\d+(\.\d+)?/g) ?? [])
        expect(`${result.stdout}${result.stderr}`, `${command} promises ${number}`).toContain(number);
      ran++;
      timings.push(`${((performance.now() - started) / 1000).toFixed(1)} s  ${command.trim()}`);
    }
    expect(ran).toBeGreaterThanOrEqual(12);
    console.log(`README: ${ran} lines ran:\n  ${timings.join('\n  ')}\nnot run:\n  ${skipped.join('\n  ')}`);
  }, 900_000);
});
