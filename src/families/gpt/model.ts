/**
 * Family `gpt`: a decoder-only transformer on the engine as a SequenceModel under the paper's language-model
 * protocol (families/lm/). Every sequence the network reads starts with a start token (the id after the data's
 * vocabulary), so the first token of a block has a probability too. Each generation fine-tunes the pretrained
 * base (the paper's choice), trains from scratch, or continues the previous model; the base's weights travel in
 * every generation's state, so a resumed run needs neither the real stream nor the cache.
 */
import { UsageError } from '../../core/errors.js';
import type { ModelFamily, ModelState, Progress } from '../../core/family.js';
import { Rng } from '../../core/rng.js';
import { type SequenceSamples, sequences } from '../../core/samples.js';
import { type BackendChoice, createEngine, type Engine } from '../../engine/index.js';
import { createLmFamily } from '../lm/protocol.js';
import type { ContinueRequest, SequenceModel } from '../lm/sequence-model.js';
import { baseTexts, disposeNet, pretrainedBase } from './base.js';
import { beamSearch, sampleSession } from './decode.js';
import { GptNet, type GptSpec } from './net.js';
import type { GptOptions } from './options.js';
import { GptSession, softmaxOverVocab } from './session.js';
import { type TrainResult, trainNet } from './train.js';
import { trainCheckpoint, trainingTag } from './train-checkpoint.js';

export interface GptModel {
  readonly net: GptNet;
  /** The pretrained weights every generation starts from under `init: base` (null otherwise). */
  readonly base: Float32Array[] | null;
  readonly baseKey: string | null;
  /** What the generation's training did (not saved: only the generation that trained reports it). */
  readonly training?: TrainResult;
}

const engines = new Map<BackendChoice, Engine>();
function gptEngine(choice: BackendChoice): Engine {
  let engine = engines.get(choice);
  if (!engine) engines.set(choice, (engine = createEngine(choice).engine));
  return engine;
}

const elapsed = (since: number) => (performance.now() - since) / 1000;
const eta = (done: number, total: number, since: number) => {
  const left = done > 0 ? ((total - done) / done) * elapsed(since) : Number.NaN;
  return Number.isFinite(left) ? (left >= 90 ? `${Math.round(left / 60)} min` : `${Math.round(left)} s`) : '?';
};

/** [start token, ...tokens] (the start token is the last id of the network's vocabulary). */
function withStart(tokens: ArrayLike<number>, bos: number): Int32Array {
  const out = new Int32Array(tokens.length + 1);
  out[0] = bos;
  out.set(tokens, 1);
  return out;
}

function copyWeights(net: GptNet, weights: readonly Float32Array[]): void {
  for (const [i, p] of Object.values(net.params()).entries()) p.data.set(weights[i]);
}

/** The n tokens of sequence i as its own array. */
const item = (s: SequenceSamples, i: number) => s.tokens.subarray(s.offsets[i], s.offsets[i + 1]);

export function gptSequenceModel(options: GptOptions): SequenceModel<GptModel> {
  const engine = () => gptEngine(options.backend);
  const specFor = (vocabSize: number): GptSpec => ({
    vocab: vocabSize + 1,
    dModel: options.dModel,
    layers: options.layers,
    heads: options.heads,
    context: options.context,
    positions: options.positions,
  });

  return {
    async fit(train, ctx) {
      const spec = specFor(train.samples.vocabSize);
      const previous = ctx.previous;
      if (previous && previous.net.spec.vocab !== spec.vocab)
        throw new UsageError(
          `family: the previous model has ${previous.net.spec.vocab - 1} token types, the data ${spec.vocab - 1}`,
        );
      // Three independent seeds, always drawn in this order.
      const initSeed = ctx.rng.nextUint32();
      const shuffle = new Rng(ctx.rng.nextUint32());
      const split = new Rng(ctx.rng.nextUint32());
      const net = new GptNet(engine(), spec, initSeed);
      try {
        let base: { key: string | null; weights: Float32Array[] | null } = { key: null, weights: null };
        if (options.init !== 'scratch') {
          base = previous
            ? { key: previous.baseKey, weights: previous.base }
            : await pretrainedBase(
                net,
                baseTexts(train, options.base, ctx.real?.text),
                options.base,
                ctx.progress,
                ctx.signal,
              );
        }
        if (options.init === 'previous' && previous)
          copyWeights(
            net,
            Object.values(previous.net.params()).map((p) => p.data),
          );
        else if (options.init !== 'scratch' && base.weights) copyWeights(net, base.weights);
        // Each block on its own after the start token, as the paper fine-tunes on 64-token blocks.
        const n = train.samples.offsets.length - 1;
        const bos = spec.vocab - 1;
        const held = Math.min(n - 1, Math.floor(options.validationFraction * n));
        const validIds = held > 0 ? split.sampleWithoutReplacement(n, held) : new Int32Array(0);
        const isValid = new Uint8Array(n);
        for (const i of validIds) isValid[i] = 1;
        const trainSeqs: Int32Array[] = [];
        const validSeqs: Int32Array[] = [];
        for (let i = 0; i < n; i++) {
          const s = withStart(item(train.samples, i).subarray(0, spec.context - 1), bos);
          (isValid[i] ? validSeqs : trainSeqs).push(s);
        }
        const start = Object.values(net.params()).map((p) => p.data);
        const tag = ctx.resumable ? trainingTag(start, options, trainSeqs, validSeqs) : '';
        const training = await trainNet(
          net,
          trainSeqs,
          validSeqs,
          options,
          shuffle,
          'fine-tune',
          ctx.progress,
          ctx.signal,
          trainCheckpoint(ctx.resumable, tag),
        );
        return { net, base: base.weights, baseKey: base.key, training };
      } catch (error) {
        disposeNet(net);
        throw error;
      }
    },

    async continue(model, request) {
      return continueBlocks(model, request, options.decodeBatch);
    },

    async logProbabilities(model, s, progress) {
      return tokenLogProbabilities(model, s, progress);
    },

    async describe(model) {
      const t = model.training;
      return {
        parameters: Object.values(model.net.params()).reduce((n, p) => n + p.size, 0),
        trainLoss: t ? t.trainLoss : null,
        validLoss: t ? t.validLoss : null,
        bestEpoch: t ? t.bestEpoch : null,
      };
    },

    async save(model): Promise<ModelState> {
      const arrays: Record<string, Float32Array> = {};
      const names = Object.keys(model.net.params());
      for (const [name, p] of Object.entries(model.net.params())) arrays[`w.${name}`] = p.data.slice();
      model.base?.forEach((w, i) => {
        arrays[`b.${names[i]}`] = w;
      });
      return { json: { family: 'gpt', spec: model.net.spec, baseKey: model.baseKey }, arrays };
    },

    async load(state) {
      const json = state.json as { spec: GptSpec; baseKey: string | null };
      const arrays = (state.arrays ?? {}) as Record<string, Float32Array>;
      const net = new GptNet(engine(), json.spec, 0);
      const names = Object.keys(net.params());
      const missing = names.filter((k) => !(`w.${k}` in arrays));
      if (missing.length > 0) throw new Error(`gpt: the saved model lacks ${missing.join(', ')}`);
      copyWeights(
        net,
        names.map((k) => arrays[`w.${k}`]),
      );
      const base = names.every((k) => `b.${k}` in arrays)
        ? names.map((k) => Float32Array.from(arrays[`b.${k}`]))
        : null;
      return { net, base, baseKey: json.baseKey };
    },

    async dispose(model) {
      disposeNet(model.net);
    },
  };
}

/** One continuation per requested prompt, decoded in batches of prompts of equal length. */
export function continueBlocks(model: GptModel, request: ContinueRequest, batchSize: number): SequenceSamples {
  const { prompts, indices, length, decoding, rng, watermark } = request;
  if (watermark?.marked.some((m) => m === 1))
    throw new UsageError('family.watermark: the gpt family does not sample with a watermark; use the ngram family');
  const { net } = model;
  const bos = net.spec.vocab - 1;
  // The prompt's last tokens that leave room for the start token and the new tokens.
  const room = net.spec.context - length;
  const seqs = Array.from(indices, (b) => {
    const p = item(prompts, b);
    return withStart(p.subarray(Math.max(0, p.length - room)), bos);
  });
  const byLength = new Map<number, number[]>();
  seqs.forEach((s, i) => {
    const g = byLength.get(s.length);
    if (g) g.push(i);
    else byLength.set(s.length, [i]);
  });
  const out = new Int32Array(indices.length * length);
  const started = performance.now();
  let done = 0;
  for (const group of byLength.values()) {
    for (let at = 0; at < group.length; at += batchSize) {
      const members = group.slice(at, at + batchSize);
      const batch = members.map((i) => seqs[i]);
      const width = decoding.type === 'beam' ? decoding.width : 1;
      const session = new GptSession(net, batch, width, length - 1);
      const part = new Int32Array(members.length * length);
      try {
        if (decoding.type === 'beam')
          beamSearch(session, members.length, length, decoding, (p) => batch[p].subarray(1), part);
        else if (decoding.type === 'greedy') sampleSession(session, length, 'greedy', rng, part);
        else sampleSession(session, length, { topP: 1, ...decoding }, rng, part);
      } finally {
        session.dispose();
      }
      for (const [j, i] of members.entries()) out.set(part.subarray(j * length, (j + 1) * length), i * length);
      done += members.length;
      const rate = (done * length) / elapsed(started);
      request.progress?.(
        done / indices.length,
        `generate: ${done}/${indices.length} continuations, ${Math.round(rate)} tokens/s, ETA ${eta(done, indices.length, started)}`,
      );
    }
  }
  const offsets = new Int32Array(indices.length + 1);
  for (let i = 0; i <= indices.length; i++) offsets[i] = i * length;
  return sequences(out, offsets, prompts.vocabSize);
}

/** A scoring window: the start token and tokens [from, to) of a sequence, whose tokens from `score` on count. */
interface Window {
  readonly sequence: number;
  readonly from: number;
  readonly score: number;
  readonly to: number;
}

/**
 * ln P(token | the tokens before it in its own sequence) for every token. A sequence longer than the context is
 * read in windows of context − 1 tokens that advance by half of that: every token is scored once, each after
 * at least half a window of its own text (the first window's tokens after what precedes them).
 */
export function tokenLogProbabilities(model: GptModel, s: SequenceSamples, progress?: Progress): Float64Array {
  const { net } = model;
  const span = net.spec.context - 1;
  const stride = Math.max(1, Math.floor(span / 2));
  const base = s.offsets[0];
  const out = new Float64Array(s.offsets[s.offsets.length - 1] - base);
  const windows: Window[] = [];
  for (let q = 0; q + 1 < s.offsets.length; q++) {
    const n = s.offsets[q + 1] - s.offsets[q];
    let scored = 0;
    while (scored < n) {
      const to = Math.min(n, scored === 0 ? span : scored + stride);
      const from = Math.max(0, to - span);
      windows.push({ sequence: q, from, score: scored, to });
      scored = to;
    }
  }
  const byLength = new Map<number, Window[]>();
  for (const w of windows) {
    const g = byLength.get(w.to - w.from);
    if (g) g.push(w);
    else byLength.set(w.to - w.from, [w]);
  }
  const bos = net.spec.vocab - 1;
  const V = net.spec.vocab;
  const vocab = V - 1;
  const started = performance.now();
  let done = 0;
  let lastReport = 0;
  for (const [L, group] of byLength) {
    for (let at = 0; at < group.length; at += 32) {
      const batch = group.slice(at, at + 32);
      const ids = new Int32Array(batch.length * L);
      batch.forEach((w, i) => {
        const start = s.offsets[w.sequence];
        ids[i * L] = bos;
        ids.set(s.tokens.subarray(start + w.from, start + w.to - 1), i * L + 1);
      });
      net.engine.tidy(() => {
        const logits = net.logits(ids, batch.length).data;
        const { lse } = softmaxOverVocab(net.engine, logits, batch.length * L, V, vocab);
        batch.forEach((w, i) => {
          const start = s.offsets[w.sequence];
          for (let t = w.score; t < w.to; t++) {
            // Position t − from predicts token t.
            const row = i * L + (t - w.from);
            out[start + t - base] = logits[row * V + s.tokens[start + t]] - lse[row];
          }
        });
      });
      done += batch.length;
      const now = performance.now();
      if (progress && now - lastReport > 1000) {
        lastReport = now;
        progress(
          done / windows.length,
          `evaluate: ${done}/${windows.length} windows, ETA ${eta(done, windows.length, started)}`,
        );
      }
    }
  }
  return out;
}

export function createGptFamily(options: GptOptions): ModelFamily<SequenceSamples, GptModel> {
  return createLmFamily('gpt', gptSequenceModel(options), options);
}
