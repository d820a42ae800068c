/**
 * A generation's fine-tune saved after each epoch into the loop's durable slot (FitContext.resumable), so a run
 * killed an hour into a generation goes on from its last epoch. What is saved carries a tag (sha256 of the
 * starting weights, the settings and the training and validation tokens): a slot holding another training's
 * state is ignored, and the fit starts over.
 */
import { createHash } from 'node:crypto';
import type { FitContext, ModelState } from '../../core/family.js';
import type { TrainCheckpoint, TrainSettings, TrainState } from './train.js';

const bytes = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The tag of a training: what it starts from and what it reads. */
export function trainingTag(
  start: readonly Float32Array[],
  settings: TrainSettings,
  train: readonly Int32Array[],
  valid: readonly Int32Array[],
): string {
  const hash = createHash('sha256').update(JSON.stringify(settings));
  for (const part of [start, ['|'], train, ['|'], valid] as const)
    for (const a of part) hash.update(typeof a === 'string' ? a : bytes(a)).update(',');
  return hash.digest('hex');
}

function toState(tag: string, s: TrainState): ModelState {
  const arrays: Record<string, Float32Array> = {};
  s.weights.forEach((w, i) => {
    arrays[`w${i}`] = w;
  });
  s.adam.m.forEach((w, i) => {
    arrays[`m${i}`] = w;
  });
  s.adam.v.forEach((w, i) => {
    arrays[`v${i}`] = w;
  });
  s.best?.weights.forEach((w, i) => {
    arrays[`b${i}`] = w;
  });
  const { epochs, step, tokens, trainLoss, order } = s;
  const best = s.best ? { loss: s.best.loss, epoch: s.best.epoch } : null;
  return {
    json: { tag, epochs, step, tokens, trainLoss, order, adamSteps: s.adam.steps, best, tensors: s.weights.length },
    arrays,
  };
}

interface SavedJson {
  tag: string;
  epochs: number;
  step: number;
  tokens: number;
  trainLoss: number;
  order: number[];
  adamSteps: number;
  best: { loss: number; epoch: number } | null;
  tensors: number;
}

function fromState(state: ModelState): TrainState {
  const j = state.json as SavedJson;
  const a = state.arrays as Record<string, Float32Array>;
  const list = (prefix: string) => Array.from({ length: j.tensors }, (_, i) => a[`${prefix}${i}`]);
  return {
    epochs: j.epochs,
    step: j.step,
    tokens: j.tokens,
    trainLoss: j.trainLoss,
    order: j.order,
    weights: list('w'),
    adam: { steps: j.adamSteps, m: list('m'), v: list('v') },
    ...(j.best ? { best: { ...j.best, weights: list('b') } } : {}),
  };
}

/** The fit's slot as a TrainCheckpoint for the training tagged `tag` (none without a slot). */
export function trainCheckpoint(slot: FitContext<unknown>['resumable'], tag: string): TrainCheckpoint | undefined {
  if (!slot) return undefined;
  return {
    async load() {
      const state = await slot.load();
      return state && (state.json as Partial<SavedJson>)?.tag === tag ? fromState(state) : undefined;
    },
    save: (s) => slot.save(toState(tag, s)),
  };
}
