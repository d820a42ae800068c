/**
 * Word-level tokenization as in PyTorch's word_language_model example: split each line on whitespace and append
 * `<eos>`; ids are given in order of first appearance in the corpus the vocabulary is built from. WikiText's
 * own `<unk>` is an ordinary word; words the vocabulary lacks map to `<unk>` when encoding other text.
 */
import type { Tokenizer, TokenizerJson } from './tokenizer.js';

export const EOS = '<eos>';
export const UNK = '<unk>';

// Python's str.split() whitespace, which is not JS's \s: JS also splits on U+FEFF, which WikiText-2 contains.
// biome-ignore lint/suspicious/noControlCharactersInRegex: \x1c-\x1f are whitespace to Python
const WORD = /[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/**
 * Calls `visit` with every word of `text` in order, `<eos>` closing each line (a final line without newline
 * too); \r\n and \r end lines as in Python's text mode.
 */
export function forEachWord(text: string, visit: (word: string) => void): void {
  const lines = (text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text).split('\n');
  const count = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  const space = WORD;
  for (let i = 0; i < count; i++) {
    const line = lines[i];
    space.lastIndex = 0;
    for (let m = space.exec(line); m !== null; m = space.exec(line)) visit(m[0]);
    visit(EOS);
  }
}

export class WordTokenizer implements Tokenizer {
  readonly type = 'word' as const;
  readonly words: readonly string[];
  private readonly ids: Map<string, number>;
  private readonly unk: number;

  constructor(words: readonly string[]) {
    this.words = words;
    this.ids = new Map(words.map((w, i) => [w, i]));
    if (this.ids.size !== words.length) throw new Error('WordTokenizer: the vocabulary lists a word twice');
    this.unk = this.ids.get(UNK) ?? -1;
  }

  /** The vocabulary of `text` in order of first appearance, with `<eos>` and `<unk>` always present. */
  static build(text: string): WordTokenizer {
    return WordTokenizer.buildAndEncode(text).tokenizer;
  }

  /** build() and encode() of the same text in one pass over it. */
  static buildAndEncode(text: string): { tokenizer: WordTokenizer; ids: Int32Array } {
    const seen = new Map<string, number>();
    const words: string[] = [];
    let ids = new Int32Array(Math.max(16, text.length >> 2));
    let n = 0;
    forEachWord(text, (w) => {
      let id = seen.get(w);
      if (id === undefined) {
        seen.set(w, (id = words.length));
        words.push(w);
      }
      if (n === ids.length) {
        const grown = new Int32Array(ids.length * 2);
        grown.set(ids);
        ids = grown;
      }
      ids[n++] = id;
    });
    for (const special of [EOS, UNK]) if (!seen.has(special)) words.push(special);
    return { tokenizer: new WordTokenizer(words), ids: ids.slice(0, n) };
  }

  get vocabSize(): number {
    return this.words.length;
  }

  encode(text: string): Int32Array {
    let out = new Int32Array(Math.max(16, text.length >> 2));
    let n = 0;
    forEachWord(text, (w) => {
      if (n === out.length) {
        const grown = new Int32Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[n++] = this.ids.get(w) ?? this.unk;
    });
    return out.slice(0, n);
  }

  /** Words joined by spaces, `<eos>` shown as a line break. */
  decode(ids: ArrayLike<number>): string {
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) parts.push(this.words[ids[i]] === EOS ? '\n' : this.words[ids[i]]);
    return parts.join(' ').replace(/ ?\n ?/g, '\n');
  }

  tokenText(id: number): string {
    return this.words[id];
  }

  toJSON(): TokenizerJson {
    return { type: 'word', words: this.words };
  }
}
