/**
 * Real data for the language-model protocol: WikiText-2 (or the user's own text file) tokenized, the training
 * stream cut into fixed-size blocks (the real pool: the prompts every generation continues) and the held-out
 * split kept as one continuous stream for perplexity.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { labelDataset, REAL } from '../core/dataset.js';
import { UsageError } from '../core/errors.js';
import { readFileNamed } from '../core/fs-errors.js';
import type { RealData } from '../core/real-data.js';
import { type SequenceSamples, sequences } from '../core/samples.js';
import { BpeTokenizer, type Tokenizer, WordTokenizer } from '../tokenizers/index.js';
import { sha256Of } from './download.js';
import { decodeUtf8 } from './utf8.js';
import { readWikiText } from './wikitext.js';

const tokenizerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('word') }).strict(),
  z.object({ type: z.literal('bpe'), vocabSize: z.number().int().min(256).max(1_000_000).default(8192) }).strict(),
]);

const blockSize = z.number().int().min(2).default(64);

export const wikiTextRealSchema = z
  .object({
    type: z.literal('wikitext'),
    /** 'tokens': wikitext-2-v1 (the paper's and PyTorch's); 'raw': wikitext-2-raw-v1 (for BPE). */
    variant: z.enum(['tokens', 'raw']).default('tokens'),
    /** A folder holding wikitext-2/; otherwise $COLLAPSE_LAB_DATA, then the download cache. */
    dataDir: z.string().min(1).optional(),
    /** The prompt and continuation length of the protocol (the paper: 64 tokens). */
    blockSize,
    /** The held-out split perplexity is measured on. */
    heldOut: z.enum(['test', 'valid']).default('test'),
    /** Only the held-out split's first N tokens (default: all of it): a cheaper test perplexity for slow models. */
    heldOutTokens: z.number().int().min(1).optional(),
    tokenizer: tokenizerSchema.default({ type: 'word' }),
  })
  .strict();

export const textRealSchema = z
  .object({
    type: z.literal('text'),
    /** A UTF-8 text file: the training text. */
    path: z.string().min(1),
    /** A separate held-out file; without one, the last heldOutFraction of the lines is held out. */
    heldOutPath: z.string().min(1).optional(),
    heldOutFraction: z.number().gt(0).lt(1).default(0.1),
    blockSize,
    tokenizer: tokenizerSchema.default({ type: 'word' }),
    /** Recorded when the run starts; a resumed run refuses a file that changed. */
    sha256: z.string().optional(),
    /** The same for heldOutPath. */
    heldOutSha256: z.string().optional(),
  })
  .strict();

export type WikiTextRealConfig = z.infer<typeof wikiTextRealSchema>;
export type TextRealConfig = z.infer<typeof textRealSchema>;
export const TEXT_REAL_TYPES = ['wikitext', 'text'] as const;

/** The tokenizer, built on the training text, and that text's ids (the word tokenizer does both in one pass). */
function tokenize(config: WikiTextRealConfig['tokenizer'], train: string): { tokenizer: Tokenizer; ids: Int32Array } {
  if (config.type === 'word') return WordTokenizer.buildAndEncode(train);
  const tokenizer = BpeTokenizer.train(train, config.vocabSize);
  return { tokenizer, ids: tokenizer.encode(train) };
}

/** The first `count` blocks of `blockSize` tokens; throws if the stream holds fewer. */
export function cutBlocks(stream: Int32Array, blockSize: number, count: number, vocabSize: number, what: string) {
  const available = Math.floor(stream.length / blockSize);
  if (count > available) {
    throw new UsageError(
      `realSize: ${count} blocks of ${blockSize} tokens exceed the ${available} blocks in ${what}; lower realSize (or samplesPerGeneration)`,
    );
  }
  const offsets = new Int32Array(count + 1);
  for (let i = 0; i <= count; i++) offsets[i] = i * blockSize;
  return sequences(stream.slice(0, count * blockSize), offsets, vocabSize);
}

function assemble(
  { tokenizer, ids: stream }: { tokenizer: Tokenizer; ids: Int32Array },
  heldOut: string,
  blockSize: number,
  poolSize: number,
  what: string,
  heldOutTokens?: number,
): RealData<SequenceSamples> {
  const all = tokenizer.encode(heldOut);
  const test = heldOutTokens === undefined ? all : all.slice(0, heldOutTokens);
  const pool = cutBlocks(stream, blockSize, poolSize, tokenizer.vocabSize, what);
  return {
    pool: labelDataset(pool, REAL),
    heldOut: sequences(test, Int32Array.of(0, test.length), tokenizer.vocabSize),
    text: tokenizer,
    description: `${what}: ${poolSize} blocks of ${blockSize} tokens (of ${stream.length}), ${tokenizer.vocabSize} ${tokenizer.type} types, ${test.length} held-out tokens`,
  };
}

export function buildWikiTextRealData(config: WikiTextRealConfig, poolSize: number): RealData<SequenceSamples> {
  const options = { variant: config.variant, dataDir: config.dataDir };
  const train = readWikiText('train', options).text;
  const heldOut = readWikiText(config.heldOut, options).text;
  const release = config.variant === 'tokens' ? 'wikitext-2-v1' : 'wikitext-2-raw-v1';
  return assemble(
    tokenize(config.tokenizer, train),
    heldOut,
    config.blockSize,
    poolSize,
    `WikiText-2 (${release})`,
    config.heldOutTokens,
  );
}

/** The file's text; a UsageError with the byte offset if it is not UTF-8 (a binary file, or Latin-1 text). */
function utf8Text(bytes: Uint8Array, file: string, field: string): string {
  const decoded = decodeUtf8(bytes);
  if ('text' in decoded) return decoded.text;
  const at = decoded.invalidAt;
  const shown = Array.from(bytes.subarray(at, at + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new UsageError(
    `${field}: '${file}' is not UTF-8 text: byte offset ${at} (bytes ${shown}) is not valid UTF-8; convert it (e.g. iconv -t UTF-8) or give a text file`,
  );
}

/** A file's bytes; a UsageError naming the config field if it does not exist. */
function readNamed(file: string, field: string): Uint8Array {
  if (!fs.existsSync(file))
    throw new UsageError(`${field}: file '${file}' does not exist; give the path of a UTF-8 text file`);
  return readFileNamed(file);
}

/** A UTF-8 text file named by config field `field`, with errors that name the field. */
export function readUtf8File(file: string, field: string): string {
  return utf8Text(readNamed(file, field), file, field);
}

export function buildTextRealData(config: TextRealConfig, poolSize: number): RealData<SequenceSamples> {
  const read = readNamed;
  const bytes = read(config.path, 'real.path');
  if (config.sha256 && config.sha256 !== sha256Of(bytes)) {
    throw new UsageError(
      `real.path: '${config.path}' changed since the run started (sha256 ${sha256Of(bytes)}, recorded ${config.sha256}); restore the original file to resume`,
    );
  }
  let train = utf8Text(bytes, config.path, 'real.path');
  let heldOut: string;
  if (config.heldOutPath) {
    const heldOutBytes = read(config.heldOutPath, 'real.heldOutPath');
    if (config.heldOutSha256 && config.heldOutSha256 !== sha256Of(heldOutBytes)) {
      throw new UsageError(
        `real.heldOutPath: '${config.heldOutPath}' changed since the run started (sha256 ${sha256Of(heldOutBytes)}, recorded ${config.heldOutSha256}); restore the original file to resume`,
      );
    }
    heldOut = utf8Text(heldOutBytes, config.heldOutPath, 'real.heldOutPath');
  } else {
    const lines = train.split('\n');
    const cut = Math.max(1, Math.round(lines.length * (1 - config.heldOutFraction)));
    train = lines.slice(0, cut).join('\n');
    heldOut = lines.slice(cut).join('\n');
  }
  return assemble(tokenize(config.tokenizer, train), heldOut, config.blockSize, poolSize, config.path);
}
