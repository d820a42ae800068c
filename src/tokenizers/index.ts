/** The tokenizers language-model families share, and the one way to rebuild a saved one. */
import { BpeTokenizer } from './bpe.js';
import type { Tokenizer, TokenizerJson } from './tokenizer.js';
import { WordTokenizer } from './word.js';

export { BpeTokenizer } from './bpe.js';
export type { Tokenizer, TokenizerJson } from './tokenizer.js';
export { EOS, forEachWord, UNK, WordTokenizer } from './word.js';

export function tokenizerFromJson(json: TokenizerJson): Tokenizer {
  return json.type === 'word' ? new WordTokenizer(json.words) : new BpeTokenizer(json.merges);
}
