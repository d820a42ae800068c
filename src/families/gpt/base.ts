/**
 * The base model every generation fine-tunes (`init: base`, the paper's pretrained OPT-125m): pretrained once on
 * generation 0's training stream, read as texts (consecutive real blocks are one text), or on a corpus the user
 * names (`base.corpus`), in windows of the whole context, so every position the network has is trained. Its seed comes from the checksum of the stream and the
 * settings, not from the run's seed, so runs over the same data (replace, mix, accumulate, every seed) share one
 * base; it is cached under that checksum in the user cache and in memory.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { Dataset } from '../../core/dataset.js';
import { UsageError } from '../../core/errors.js';
import type { Progress } from '../../core/family.js';
import type { TextCodec } from '../../core/real-data.js';
import { Rng } from '../../core/rng.js';
import type { SequenceSamples } from '../../core/samples.js';
import { cacheDir } from '../../data/download.js';
import { readUtf8File } from '../../data/text-real.js';
import { loadParams, saveParams } from '../../engine/index.js';
import { trainingTexts } from '../lm/training-stream.js';
import { GptNet, type GptSpec } from './net.js';
import type { BaseSettings } from './options.js';
import { trainNet } from './train.js';

/** Bump when pretraining changes: the cache key includes it. */
const VERSION = 'gpt-base-1';

/** Each text cut into windows of up to context − 1 tokens, each after the start token `bos`. */
export function windows(texts: readonly Int32Array[], context: number, bos: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (const text of texts) {
    for (let at = 0; at < text.length; at += context - 1) {
      const piece = text.subarray(at, Math.min(text.length, at + context - 1));
      const w = new Int32Array(piece.length + 1);
      w[0] = bos;
      w.set(piece, 1);
      out.push(w);
    }
  }
  return out;
}

export interface Base {
  /** sha256 of the version, the spec, the settings and the stream: the cache key. */
  readonly key: string;
  /** The pretrained weights in the network's parameter order. */
  readonly weights: Float32Array[];
}

const memory = new Map<string, Float32Array[]>();

function keyOf(spec: GptSpec, settings: BaseSettings, pieces: readonly Int32Array[]): string {
  // The corpus enters by its tokens, not its path: the same text anywhere is the same base.
  const { corpus: _path, ...rest } = settings;
  const hash = createHash('sha256').update(JSON.stringify({ VERSION, spec, settings: rest }));
  for (const p of pieces) {
    hash.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    hash.update('|');
  }
  return hash.digest('hex');
}

/**
 * The texts the base is pretrained on: `settings.corpus` read with the run's tokenizer, or else generation 0's
 * training stream.
 */
export function baseTexts(
  train: Dataset<SequenceSamples>,
  settings: BaseSettings,
  tokenizer: TextCodec | undefined,
): Int32Array[] {
  if (!settings.corpus) return trainingTexts(train);
  if (!tokenizer?.encode)
    throw new UsageError('family.base.corpus needs real data with a tokenizer (real: wikitext or text)');
  const tokens = tokenizer.encode(readUtf8File(settings.corpus, 'family.base.corpus'));
  if (tokens.length < 2)
    throw new UsageError(
      `family.base.corpus: '${settings.corpus}' holds ${tokens.length} token(s); give a text to pretrain on`,
    );
  return [tokens];
}

/** The base pretrained on these texts: from memory, the cache, or pretrained now (and cached). */
export async function pretrainedBase(
  net: GptNet,
  texts: readonly Int32Array[],
  settings: BaseSettings,
  progress: Progress,
  signal?: AbortSignal,
  dir = path.join(cacheDir(), 'gpt-base'),
): Promise<Base> {
  const spec = net.spec;
  const pieces = windows(texts, spec.context, spec.vocab - 1);
  const key = keyOf(spec, settings, pieces);
  const params = Object.values(net.params());
  const remembered = memory.get(key);
  if (remembered) return { key, weights: remembered };
  const file = path.join(dir, `${key.slice(0, 32)}.params`);
  if (fs.existsSync(file)) {
    try {
      loadParams(fs.readFileSync(file), net.params());
      const weights = params.map((p) => p.data.slice());
      memory.set(key, weights);
      progress(1, 'pretrain: base model read from the cache');
      return { key, weights };
    } catch {
      // A torn or foreign file: pretrain again below (seeded, so the same weights).
    }
  }
  // Another run (a worker thread of the same reproduce, say) pretraining this base: wait for its file.
  const lock = await claim(`${file}.lock`, file, progress, signal);
  if (!lock) return pretrainedBase(net, texts, settings, progress, signal, dir);
  const seed = Number.parseInt(key.slice(0, 8), 16);
  const fresh = new GptNet(net.engine, spec, seed);
  try {
    const beat: Progress = (fraction, message) => {
      lock.touch();
      progress(fraction, message);
    };
    await trainNet(fresh, pieces, [], settings, new Rng(seed), 'pretrain', beat, signal);
    const weights = Object.values(fresh.params()).map((p) => p.data.slice());
    memory.set(key, weights);
    saveQuietly(file, saveParams(fresh.params()));
    return { key, weights };
  } finally {
    disposeNet(fresh);
    lock.release();
  }
}

/** A lock not refreshed for this long is a dead pretrainer's (the live one touches it every second or so). */
const STALE_MS = 60_000;

/**
 * Takes `lockFile` (created exclusively) and returns it, or, while another pretrainer holds it, waits until it is
 * released or goes stale and returns undefined (the caller then looks for `file` again). A cache folder that
 * cannot be written is no reason to wait: the lock is then a no-op.
 */
async function claim(lockFile: string, file: string, progress: Progress, signal?: AbortSignal) {
  const held = { touch: () => touchQuietly(lockFile), release: () => fs.rmSync(lockFile, { force: true }) };
  for (;;) {
    try {
      fs.mkdirSync(path.dirname(lockFile), { recursive: true });
      fs.closeSync(fs.openSync(lockFile, 'wx'));
      return held;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { touch: () => {}, release: () => {} };
    }
    let age: number;
    try {
      age = Date.now() - fs.statSync(lockFile).mtimeMs;
    } catch {
      continue; // released between the two calls: try again
    }
    if (age > STALE_MS) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    progress(0, 'pretrain: waiting for another run pretraining the same base');
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (fs.existsSync(file) || !fs.existsSync(lockFile)) return undefined;
  }
}

function touchQuietly(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // A lock someone removed as stale: the other run pretrains too, and writes the same weights.
  }
}

/** Writes the cache file whole or not at all; a read-only cache only costs the next run a pretraining. */
function saveQuietly(file: string, bytes: Uint8Array): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, bytes);
  } catch {
    // A cache that cannot be written costs a pretraining next time, nothing else.
  }
}

/** Returns a network's parameters and gradients to its backend. */
export function disposeNet(net: GptNet): void {
  const backend = net.engine.backend;
  for (const p of Object.values(net.params())) {
    backend.free(p.data);
    if (p.grad) backend.free(p.grad);
    p.grad = null;
  }
}
