/**
 * What every language-model family shares: text to token ids and back. A tokenizer is saved with the run as
 * plain JSON (`toJSON`) and rebuilt by `tokenizerFromJson`, so a run folder can always turn its ids into text.
 */
export interface Tokenizer {
  readonly type: 'word' | 'bpe';
  readonly vocabSize: number;
  /** The ids of `text`; the word tokenizer ends every line with `<eos>`. */
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  /** One token as text, for tables and reports. */
  tokenText(id: number): string;
  toJSON(): TokenizerJson;
}

export type TokenizerJson =
  | { readonly type: 'word'; readonly words: readonly string[] }
  | { readonly type: 'bpe'; readonly merges: readonly (readonly [number, number])[] };
