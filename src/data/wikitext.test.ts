import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { buildWikiTextRealData, wikiTextRealSchema } from './text-real.js';
import { findWikiTextFile, readWikiText } from './wikitext.js';

// CI points COLLAPSE_LAB_DATA at the shared data folder; elsewhere the real-file tests are skipped.
const sharedData = process.env.COLLAPSE_LAB_DATA;
const haveReal = !!sharedData && fs.existsSync(path.join(sharedData, 'wikitext-2', 'wiki.train.tokens'));
if (!haveReal) console.warn('wikitext: COLLAPSE_LAB_DATA/wikitext-2 not found; skipping the real-file checks');

describe('WikiText-2 loader', () => {
  let dir: string;
  const savedEnv = { data: process.env.COLLAPSE_LAB_DATA, cache: process.env.COLLAPSE_LAB_CACHE };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wikitext-'));
    // No lookup may fall through to a real cache or data folder.
    process.env.COLLAPSE_LAB_DATA = '';
    process.env.COLLAPSE_LAB_CACHE = path.join(dir, 'cache');
  });
  afterEach(() => {
    process.env.COLLAPSE_LAB_DATA = savedEnv.data;
    process.env.COLLAPSE_LAB_CACHE = savedEnv.cache;
    if (savedEnv.data === undefined) delete process.env.COLLAPSE_LAB_DATA;
    if (savedEnv.cache === undefined) delete process.env.COLLAPSE_LAB_CACHE;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the missing file and the fix', () => {
    expect(() => findWikiTextFile('train', { dataDir: dir })).toThrow(UsageError);
    expect(() => findWikiTextFile('train', { dataDir: dir })).toThrow(
      /wiki\.train\.tokens.*--data-dir.*COLLAPSE_LAB_DATA/s,
    );
  });

  it('rejects a corrupt tokenized file, naming it and the expected checksum', () => {
    fs.mkdirSync(path.join(dir, 'wikitext-2'));
    fs.writeFileSync(path.join(dir, 'wikitext-2', 'wiki.valid.tokens'), ' = Truncated = \n');
    expect(() => readWikiText('valid', { dataDir: dir })).toThrow(/wiki\.valid\.tokens.*bytes, expected 1121681/s);
  });

  it('reads the raw release from a folder, or from the env variable', () => {
    fs.mkdirSync(path.join(dir, 'wikitext-2-raw'));
    const text = ' = Heading = \n The café costs 1,000 € . \n';
    fs.writeFileSync(path.join(dir, 'wikitext-2-raw', 'wiki.test.raw'), text);
    expect(readWikiText('test', { variant: 'raw', dataDir: dir }).text).toBe(text);
    process.env.COLLAPSE_LAB_DATA = dir;
    expect(readWikiText('test', { variant: 'raw' }).path).toBe(path.join(dir, 'wikitext-2-raw', 'wiki.test.raw'));
  });

  it('keeps only the first heldOutTokens tokens of the held-out split when asked', () => {
    fs.mkdirSync(path.join(dir, 'wikitext-2-raw'));
    fs.writeFileSync(path.join(dir, 'wikitext-2-raw', 'wiki.train.raw'), 'a b c d a b c d e f\n');
    fs.writeFileSync(path.join(dir, 'wikitext-2-raw', 'wiki.test.raw'), 'd c b a f e d c b a\n');
    const config = { type: 'wikitext', variant: 'raw', dataDir: dir, blockSize: 2 };
    const all = buildWikiTextRealData(wikiTextRealSchema.parse(config), 3).heldOut;
    const cut = buildWikiTextRealData(wikiTextRealSchema.parse({ ...config, heldOutTokens: 4 }), 3).heldOut;
    expect(all.tokens.length).toBeGreaterThan(4);
    expect(Array.from(cut.tokens)).toEqual(Array.from(all.tokens.subarray(0, 4)));
    expect(Array.from(cut.offsets)).toEqual([0, 4]);
  });

  it('accepts a data folder that holds the files directly', () => {
    fs.writeFileSync(path.join(dir, 'wiki.train.raw'), 'a b\n');
    expect(findWikiTextFile('train', { variant: 'raw', dataDir: dir })).toBe(path.join(dir, 'wiki.train.raw'));
  });

  it.skipIf(!haveReal)('verifies the real tokenized files against their published checksums', () => {
    for (const split of ['train', 'valid', 'test'] as const) {
      const file = readWikiText(split, { dataDir: sharedData });
      expect(file.bytes).toBe({ train: 10_797_148, valid: 1_121_681, test: 1_256_449 }[split]);
    }
  });
});
