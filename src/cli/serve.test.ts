/**
 * `collapse-lab serve` as a user starts it: its flags' errors (exit 2, naming the flag), and its bind address.
 * What it serves is tested in src/server/ (server.test.ts over HTTP, web.browser.test.ts in Chromium).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = path.resolve('dist/cli/main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-serve-'));
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });

describe('collapse-lab serve', () => {
  it.each([
    [['--port', '70000'], /--port: expected an integer in \[0, 65,535\] in decimal digits, got '70000'/],
    [['runs'], /unexpected argument 'runs'; the runs folder is given with --runs DIR/],
    [['--runs', 'file.txt'], /--runs: 'file.txt' is a file, not a folder/],
  ])('refuses %j with exit 2 and says what to fix', (args, message) => {
    fs.writeFileSync(path.join(dir, 'file.txt'), 'not a folder');
    const r = cli(['serve', ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });

  it('binds a non-loopback address only when --host names it, and warns', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--host', '0.0.0.0', '--port', '0', '--runs', 'runs'], {
      cwd: dir,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    try {
      while (!/http:\/\/0\.0\.0\.0:\d+\//.test(out)) {
        if (child.exitCode !== null) throw new Error(`serve exited: ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(err).toMatch(/warning: serving on 0\.0\.0\.0: anyone who can reach this address can read the runs/);
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0); // Ctrl-C is a normal end
  });
});
