import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** A finished run folder: config, one metrics line per generation, a summary, no lock, no temporaries. */
export function expectCompleteRun(dir: string, generations: number): void {
  const names = fs.readdirSync(dir);
  expect(names).toEqual(expect.arrayContaining(['config.json', 'metrics.jsonl', 'summary.json', 'checkpoints']));
  expect(names).not.toContain('lock');
  const lines = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
  expect(lines.map((l) => JSON.parse(l).generation)).toEqual(Array.from({ length: generations }, (_, g) => g));
  expect(fs.readdirSync(path.join(dir, 'checkpoints')).filter((f) => f.includes('.tmp-'))).toEqual([]);
}
