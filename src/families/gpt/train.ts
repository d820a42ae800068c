/**
 * One training phase (pretraining the base, or a generation's fine-tune): AdamW with linear warm-up and cosine
 * decay, next-token cross-entropy on batches of equal-length sequences, a held-out validation loss after every
 * epoch, and the weights of the best-validation epoch kept (the paper's Hugging Face Trainer setting
 * `load_best_model_at_end`). Progress reports tokens/s, loss and the time left.
 */
import type { Progress } from '../../core/family.js';
import { Rng } from '../../core/rng.js';
import { Adam, type AdamState, clipGradNorm, crossEntropy, reshape } from '../../engine/index.js';
import type { GptNet } from './net.js';

export interface TrainSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  /** Share of the steps spent warming the learning rate up linearly. */
  readonly warmup: number;
  /** The cosine decays to this share of the learning rate. */
  readonly minLearningRate: number;
  readonly gradientClip: number;
}

export interface TrainResult {
  /** Mean loss (nats per token) of the last epoch's batches. */
  readonly trainLoss: number;
  /** Validation loss of the kept weights (null without a validation set). */
  readonly validLoss: number | null;
  /** The epoch whose weights were kept (1-based). */
  readonly bestEpoch: number;
  readonly tokens: number;
  readonly seconds: number;
}

/** A training's state at the end of an epoch: enough to go on exactly as if it had never stopped. */
export interface TrainState {
  /** Epochs completed. */
  readonly epochs: number;
  readonly step: number;
  readonly tokens: number;
  readonly trainLoss: number;
  readonly weights: readonly Float32Array[];
  readonly adam: AdamState;
  /** The batch-order stream's state words. */
  readonly order: readonly number[];
  readonly best?: { readonly loss: number; readonly epoch: number; readonly weights: readonly Float32Array[] };
}

/** Where a training saves its state after every epoch but the last, and finds it when resumed after a kill. */
export interface TrainCheckpoint {
  load(): Promise<TrainState | undefined>;
  save(state: TrainState): Promise<void>;
}

/** Sequences (each a start token and its text) grouped by length: a batch holds one length. */
function byLength(seqs: readonly Int32Array[]): Int32Array[][] {
  const groups = new Map<number, Int32Array[]>();
  for (const s of seqs) {
    if (s.length < 2) continue;
    const g = groups.get(s.length);
    if (g) g.push(s);
    else groups.set(s.length, [s]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
}

/** The batches of an epoch: every group shuffled and cut, the batches in a shuffled order. */
function epochBatches(groups: readonly Int32Array[][], batchSize: number, rng: Rng): Int32Array[][] {
  const batches: Int32Array[][] = [];
  for (const g of groups) {
    const order = rng.permutation(g.length);
    for (let i = 0; i < g.length; i += batchSize)
      batches.push(Array.from(order.subarray(i, Math.min(g.length, i + batchSize)), (j) => g[j]));
  }
  const order = rng.permutation(batches.length);
  return Array.from(order, (i) => batches[i]);
}

/** Inputs (all but the last token) and targets (all but the first) of equal-length sequences. */
function inputsAndTargets(batch: readonly Int32Array[]): { ids: Int32Array; targets: Int32Array } {
  const L = batch[0].length - 1;
  const ids = new Int32Array(batch.length * L);
  const targets = new Int32Array(batch.length * L);
  batch.forEach((s, i) => {
    ids.set(s.subarray(0, L), i * L);
    targets.set(s.subarray(1), i * L);
  });
  return { ids, targets };
}

/** Mean next-token loss (nats) over every target of `seqs`, without gradients. */
export function meanLoss(net: GptNet, seqs: readonly Int32Array[], batchSize = 32): number {
  let sum = 0;
  let count = 0;
  for (const g of byLength(seqs)) {
    for (let i = 0; i < g.length; i += batchSize) {
      const batch = g.slice(i, i + batchSize);
      const { ids, targets } = inputsAndTargets(batch);
      sum +=
        net.engine.tidy(() =>
          crossEntropy(reshape(net.logits(ids, batch.length), [-1, net.spec.vocab]), targets).item(),
        ) * targets.length;
      count += targets.length;
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** The learning rate at `step` of `total`: linear warm-up, then cosine decay to minLearningRate · lr. */
export function learningRateAt(settings: TrainSettings, step: number, total: number): number {
  const warm = Math.max(1, Math.round(settings.warmup * total));
  const lr = settings.learningRate;
  if (step < warm) return (lr * (step + 1)) / warm;
  const progress = Math.min(1, (step - warm) / Math.max(1, total - warm));
  const floor = settings.minLearningRate;
  return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

const formatEta = (s: number) => (s >= 90 ? `${Math.round(s / 60)} min` : `${Math.max(0, Math.round(s))} s`);

/**
 * Trains `net` in place on `train`; restores the best-validation epoch's weights when `valid` is not empty.
 * With a checkpoint, it goes on from the last epoch an interrupted run of this same training saved.
 */
export async function trainNet(
  net: GptNet,
  train: readonly Int32Array[],
  valid: readonly Int32Array[],
  settings: TrainSettings,
  rng: Rng,
  phase: string,
  progress: Progress,
  signal?: AbortSignal,
  checkpoint?: TrainCheckpoint,
): Promise<TrainResult> {
  const E = net.engine;
  const params = Object.values(net.params());
  const opt = new Adam(params, { lr: settings.learningRate, weightDecay: settings.weightDecay, decoupled: true });
  const groups = byLength(train);
  const perEpoch = groups.reduce((n, g) => n + Math.ceil(g.length / settings.batchSize), 0);
  const total = perEpoch * settings.epochs;
  const started = performance.now();
  let order = rng;
  let tokens = 0;
  let step = 0;
  let trainLoss = Number.NaN;
  let best: { loss: number; epoch: number; weights: Float32Array[] } | undefined;
  let lastReport = 0;
  const saved = await checkpoint?.load();
  if (saved) {
    for (const [i, p] of params.entries()) p.data.set(saved.weights[i]);
    opt.restore(saved.adam);
    order = Rng.fromState(saved.order);
    ({ step, tokens, trainLoss } = saved);
    if (saved.best) best = { ...saved.best, weights: saved.best.weights.map((w) => w.slice()) };
    progress(saved.epochs / settings.epochs, `${phase}: resumed after epoch ${saved.epochs}/${settings.epochs}`);
  }
  try {
    for (let epoch = saved?.epochs ?? 0; epoch < settings.epochs; epoch++) {
      let epochLoss = 0;
      let epochTokens = 0;
      for (const batch of epochBatches(groups, settings.batchSize, order)) {
        signal?.throwIfAborted();
        const { ids, targets } = inputsAndTargets(batch);
        opt.lr = learningRateAt(settings, step, total);
        opt.zeroGrad();
        const loss = E.tidy(() => {
          const l = crossEntropy(reshape(net.logits(ids, batch.length), [-1, net.spec.vocab]), targets);
          E.backward(l);
          return l.item();
        });
        if (settings.gradientClip > 0) clipGradNorm(params, settings.gradientClip);
        opt.step();
        step++;
        tokens += targets.length;
        epochLoss += loss * targets.length;
        epochTokens += targets.length;
        const now = performance.now();
        if (now - lastReport > 1000 || step === total) {
          lastReport = now;
          const seconds = (now - started) / 1000;
          const rate = tokens / seconds;
          const left = ((total - step) / step) * seconds;
          progress(
            step / total,
            `${phase}: epoch ${epoch + 1}/${settings.epochs}, loss ${loss.toFixed(3)}, ${Math.round(rate)} tokens/s, ETA ${formatEta(left)}`,
          );
          // Let timers, signals and the heartbeat run (a phase can take minutes).
          await new Promise((resolve) => setTimeout(resolve, 0)); // setTimeout: browsers have no setImmediate
        }
      }
      trainLoss = epochLoss / Math.max(1, epochTokens);
      if (valid.length > 0) {
        const loss = meanLoss(net, valid);
        if (!best || loss < best.loss) {
          const weights = best?.weights ?? params.map((p) => new Float32Array(p.size));
          for (const [i, p] of params.entries()) weights[i].set(p.data);
          best = { loss, epoch: epoch + 1, weights };
        }
        progress(
          (epoch + 1) / settings.epochs,
          `${phase}: epoch ${epoch + 1}/${settings.epochs}, validation loss ${loss.toFixed(3)}`,
        );
      }
      if (checkpoint && epoch + 1 < settings.epochs) {
        await checkpoint.save({
          epochs: epoch + 1,
          step,
          tokens,
          trainLoss,
          weights: params.map((p) => p.data.slice()),
          adam: opt.state(),
          order: order.state(),
          ...(best ? { best } : {}),
        });
      }
    }
  } finally {
    opt.dispose();
  }
  if (best) for (const [i, p] of params.entries()) p.data.set(best.weights[i]);
  return {
    trainLoss,
    validLoss: best ? best.loss : null,
    bestEpoch: best ? best.epoch : settings.epochs,
    tokens,
    seconds: (performance.now() - started) / 1000,
  };
}
