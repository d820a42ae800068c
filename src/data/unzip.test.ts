import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { unzip } from './download.js';

describe('unzip', () => {
  it('reads stored and deflated entries, leaves folders out, and names a damaged archive', () => {
    const text = new TextEncoder().encode('the quick brown fox '.repeat(100));
    const archive = zipSync({
      'wikitext-2/': {},
      'wikitext-2/wiki.train.tokens': [text, { level: 9 }],
      'wikitext-2/wiki.test.tokens': [text.subarray(0, 20), { level: 0 }],
    });
    const files = unzip(archive);
    expect([...files.keys()].sort()).toEqual(['wikitext-2/wiki.test.tokens', 'wikitext-2/wiki.train.tokens']);
    expect(files.get('wikitext-2/wiki.train.tokens')).toEqual(text);
    expect(files.get('wikitext-2/wiki.test.tokens')).toEqual(text.subarray(0, 20));
    expect(() => unzip(archive.subarray(0, archive.length - 30))).toThrow(/not a readable zip archive/);
  });
});
