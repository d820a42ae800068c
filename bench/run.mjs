#!/usr/bin/env node
// `npm run bench -- NAME [args]`: builds the package, then runs bench/NAME.mjs with the remaining arguments.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_'))
  .map((f) => f.slice(0, -4));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]; benchmarks: ${available.join(', ')}`);
  process.exit(2);
}
execFileSync('npm', ['run', '--silent', 'build'], { cwd: path.join(here, '..'), stdio: 'inherit' });
process.argv = [process.argv[0], path.join(here, `${name}.mjs`), ...args];
await import(path.join(here, `${name}.mjs`));
