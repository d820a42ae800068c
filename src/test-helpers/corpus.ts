/** Test text for the language-model tests: small, deterministic, with a long tail like real text. */
import fs from 'node:fs';
import { Rng } from '../core/rng.js';

/** Lines of 12 words from a context-dependent Zipfian chain over `types` words, in WikiText's line format. */
export function writeCorpus(file: string, lines: number, types: number, seed: number): void {
  const rng = new Rng(seed);
  const out: string[] = [];
  let prev = 0;
  for (let l = 0; l < lines; l++) {
    const words: string[] = [];
    for (let i = 0; i < 12; i++) {
      prev = (Math.floor(types * rng.uniform() ** 4) + prev * 31) % types;
      words.push(`w${prev}`);
    }
    out.push(` ${words.join(' ')} `);
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}
