import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { readWikiText } from '../data/wikitext.js';
import { BpeTokenizer, EOS, tokenizerFromJson, UNK, WordTokenizer } from './index.js';

const sharedData = process.env.COLLAPSE_LAB_DATA;
const haveReal = !!sharedData && fs.existsSync(path.join(sharedData, 'wikitext-2', 'wiki.train.tokens'));
if (!haveReal) console.warn('tokenizers: COLLAPSE_LAB_DATA/wikitext-2 not found; skipping the published-count checks');

/** Random text over ASCII, Latin, CJK, emoji (astral) and whitespace: every kind of UTF-8 sequence length. */
function randomText(rng: Rng, length: number): string {
  const ranges: [number, number][] = [
    [0x20, 0x7e],
    [0x09, 0x0d],
    [0xa0, 0x24f],
    [0x4e00, 0x4fff],
    [0x1f600, 0x1f64f],
    [0x10000, 0x10ffff],
  ];
  let s = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = ranges[rng.int(ranges.length)];
    s += String.fromCodePoint(lo + rng.int(hi - lo + 1));
  }
  return s;
}

describe('word tokenizer', () => {
  it('splits on whitespace, appends <eos> per line and numbers words by first appearance', () => {
    const t = WordTokenizer.build(' = A = \n\n b  a\tc \n');
    expect(t.words).toEqual(['=', 'A', EOS, 'b', 'a', 'c', UNK]);
    expect(Array.from(t.encode(' = A = \n\n b  a\tc \n'))).toEqual([0, 1, 0, 2, 2, 3, 4, 5, 2]);
    expect(Array.from(t.encode('a zebra'))).toEqual([4, 6, 2]); // unknown words map to <unk>; last line closes
    expect(t.decode(t.encode('b a\nc\n'))).toBe('b a\nc\n');
  });

  it.skipIf(!haveReal)('reports the published WikiText-2 counts: 2,088,628 train tokens, 33,278 types', () => {
    const train = readWikiText('train', { dataDir: sharedData }).text;
    const t = WordTokenizer.build(train);
    expect(t.vocabSize).toBe(33_278);
    const ids = t.encode(train);
    expect(ids.length).toBe(2_088_628);
    let unk = 0;
    for (const id of ids) if (t.words[id] === UNK) unk++;
    expect(unk).toBe(54_625);
    expect(t.encode(readWikiText('valid', { dataDir: sharedData }).text).length).toBe(217_646);
    expect(t.encode(readWikiText('test', { dataDir: sharedData }).text).length).toBe(245_569);
  });
});

describe('byte-level BPE', () => {
  const corpus =
    'the cat sat on the mat. the cat ate the rat! Der Kater aß die Ratte; 猫がネズミを食べた。 🐈🐀\n'.repeat(20);

  it('learns merges up to the vocabulary size and shortens frequent text', () => {
    const t = BpeTokenizer.train(corpus, 300);
    expect(t.vocabSize).toBe(300);
    const ids = t.encode('the cat sat on the mat.');
    expect(ids.length).toBeLessThan(12); // 23 bytes
    for (const id of ids) expect(id).toBeLessThan(300);
  });

  it('round-trips arbitrary UTF-8 text, also after saving and loading', () => {
    const t = BpeTokenizer.train(corpus, 320);
    const loaded = tokenizerFromJson(JSON.parse(JSON.stringify(t.toJSON())));
    const rng = new Rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const text = randomText(rng, 1 + rng.int(60));
      expect(t.decode(t.encode(text))).toBe(text);
      expect(Array.from(loaded.encode(text))).toEqual(Array.from(t.encode(text)));
    }
    expect(t.decode(t.encode(corpus))).toBe(corpus);
  });

  it('is deterministic and merges the most frequent pair first', () => {
    const t = BpeTokenizer.train('ab ab ab cd', 257);
    expect(t.merges).toEqual([[97, 98]]); // 'a','b' occurs 3 times; ' a' twice
    expect(BpeTokenizer.train(corpus, 290).merges).toEqual(BpeTokenizer.train(corpus, 290).merges);
  });
});
