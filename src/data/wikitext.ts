/**
 * WikiText-2 (Merity et al. 2016): the tokenized release `wikitext-2-v1` (files wiki.{train,valid,test}.tokens,
 * byte-identical to the PyTorch word_language_model data) and the raw release `wikitext-2-raw-v1`
 * (wiki.*.raw). Files are looked up in an explicit data folder, then $COLLAPSE_LAB_DATA, then the download cache;
 * every file with a published checksum is verified before it is used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { cacheDir, DATA_ENV, dataRoots, downloadVerified, type ExpectedFile, unzip, verifyBytes } from './download.js';

export type WikiTextVariant = 'tokens' | 'raw';
export type WikiTextSplit = 'train' | 'valid' | 'test';
export const WIKITEXT_SPLITS: readonly WikiTextSplit[] = ['train', 'valid', 'test'];

export interface WikiTextOptions {
  /** 'tokens' (wikitext-2-v1, the default) or 'raw' (wikitext-2-raw-v1). */
  readonly variant?: WikiTextVariant;
  /** A folder holding `wikitext-2/` (or `wikitext-2-raw/`), or the files themselves. */
  readonly dataDir?: string;
  /** Check sizes and sha256 where they are published (default true). */
  readonly verify?: boolean;
}

interface VariantSpec {
  readonly release: string;
  readonly folder: string;
  readonly extension: string;
  readonly files: Readonly<Record<WikiTextSplit, Omit<ExpectedFile, 'name'>>>;
}

// Sizes and checksums of the published files (see the data folder's SOURCE.md). The raw release is checked as
// the archive it is downloaded in; its files have no published per-file checksums.
const VARIANTS: Readonly<Record<WikiTextVariant, VariantSpec>> = {
  tokens: {
    release: 'wikitext-2-v1',
    folder: 'wikitext-2',
    extension: 'tokens',
    files: {
      train: { bytes: 10_797_148, sha256: '9e9fa1ad55b1c2c95b08e37dd8e653f638fac2c6de904b79e813611eefbc985f' },
      valid: { bytes: 1_121_681, sha256: 'f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8' },
      test: { bytes: 1_256_449, sha256: 'd790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0' },
    },
  },
  raw: {
    release: 'wikitext-2-raw-v1',
    folder: 'wikitext-2-raw',
    extension: 'raw',
    files: { train: {}, valid: {}, test: {} },
  },
};

/** The tokenized files as the PyTorch example ships them (train.txt, valid.txt, test.txt). */
const TOKENS_URL = 'https://raw.githubusercontent.com/pytorch/examples/main/word_language_model/data/wikitext-2';
/** The raw release is only published as a zip; the second URL is the copy llama.cpp's CI fetches. */
const RAW_ARCHIVE: ExpectedFile & { readonly urls: readonly string[] } = {
  name: 'wikitext-2-raw-v1.zip',
  bytes: 4_721_645,
  sha256: 'ef7edb566e3e2b2d31b29c1fdb0c89a4cc683597484c3dc2517919c615435a11',
  urls: [
    'https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-raw-v1.zip',
    'https://huggingface.co/datasets/ggml-org/ci/resolve/main/wikitext-2-raw-v1.zip',
  ],
};

export function wikiTextFileName(split: WikiTextSplit, variant: WikiTextVariant = 'tokens'): string {
  return `wiki.${split}.${VARIANTS[variant].extension}`;
}

/** Where a split lives: the first root holding `<folder>/<file>` or `<file>`; throws naming the file and the fix. */
export function findWikiTextFile(split: WikiTextSplit, options: WikiTextOptions = {}): string {
  const variant = options.variant ?? 'tokens';
  const spec = VARIANTS[variant];
  const name = wikiTextFileName(split, variant);
  const roots = dataRoots(options.dataDir);
  for (const root of roots) {
    for (const candidate of [path.join(root, spec.folder, name), path.join(root, name)]) {
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  throw new UsageError(
    `WikiText-2 (${spec.release}): '${name}' was not found in ${roots.map((r) => `'${path.join(r, spec.folder)}'`).join(', ')}. ` +
      `Put the ${spec.release} files in DIR/${spec.folder}/ and pass --data-dir DIR (or set ${DATA_ENV}=DIR), ` +
      `or fetch them into the cache with 'collapse-lab data fetch wikitext-2 --variant ${variant}'.`,
  );
}

export interface WikiTextFile {
  readonly path: string;
  readonly text: string;
  readonly bytes: number;
}

/** Reads one split as text, verified against its published size and sha256 where there is one. */
export function readWikiText(split: WikiTextSplit, options: WikiTextOptions = {}): WikiTextFile {
  const variant = options.variant ?? 'tokens';
  const file = findWikiTextFile(split, options);
  const bytes = fs.readFileSync(file);
  if (options.verify ?? true) {
    const name = wikiTextFileName(split, variant);
    verifyBytes(
      file,
      bytes,
      { name, ...VARIANTS[variant].files[split] },
      `Replace it with the ${VARIANTS[variant].release} release's '${name}' (delete it and run 'collapse-lab data fetch wikitext-2', or copy a good one).`,
    );
  }
  return { path: file, text: bytes.toString('utf8'), bytes: bytes.length };
}

/**
 * Fetches a release into `<to>/<folder>/` (default: the user cache) and returns that folder. Files already
 * present and intact are kept. The only function here that touches the network.
 */
export async function downloadWikiText(options: { variant?: WikiTextVariant; to?: string } = {}): Promise<string> {
  const variant = options.variant ?? 'tokens';
  const spec = VARIANTS[variant];
  const folder = path.join(options.to ?? cacheDir(), spec.folder);
  const intact = (split: WikiTextSplit) => {
    const file = path.join(folder, wikiTextFileName(split, variant));
    if (!fs.existsSync(file)) return false;
    try {
      verifyBytes(file, fs.readFileSync(file), { name: file, ...spec.files[split] }, '');
      return true;
    } catch {
      return false;
    }
  };
  if (WIKITEXT_SPLITS.every(intact)) return folder;
  if (variant === 'tokens') {
    for (const split of WIKITEXT_SPLITS) {
      if (intact(split)) continue;
      const name = wikiTextFileName(split, variant);
      await downloadVerified([`${TOKENS_URL}/${split}.txt`], path.join(folder, name), { name, ...spec.files[split] });
    }
    return folder;
  }
  const archive = path.join(options.to ?? cacheDir(), RAW_ARCHIVE.name);
  if (!fs.existsSync(archive)) await downloadVerified(RAW_ARCHIVE.urls, archive, RAW_ARCHIVE);
  const bytes = fs.readFileSync(archive);
  verifyBytes(archive, bytes, RAW_ARCHIVE, 'Delete it and download again.');
  const files = unzip(bytes);
  fs.mkdirSync(folder, { recursive: true });
  for (const split of WIKITEXT_SPLITS) {
    const name = wikiTextFileName(split, variant);
    const entry = files.get(`${spec.folder}/${name}`);
    if (!entry) throw new UsageError(`${RAW_ARCHIVE.name}: the archive holds no '${spec.folder}/${name}'`);
    fs.writeFileSync(path.join(folder, name), entry);
  }
  return folder;
}
