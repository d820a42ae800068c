/** The requests every external family makes the same way, whatever its data: fit (then save), and the metrics of a fit. */
import fs from 'node:fs';
import type { FitContext, Metrics } from '../../core/family.js';
import type { TrainerOptions } from './options.js';
import type { ExternalModel, Trainer } from './trainer.js';
import type { ProgressInfo } from './trainer-process.js';

/** A progress event as one line for people: phase, then throughput when the trainer reports it. */
function progressText(p: ProgressInfo): string | undefined {
  const parts = [
    p.phase,
    p.message,
    p.tokensPerSecond !== undefined ? `${Math.round(p.tokensPerSecond)} tokens/s` : undefined,
  ];
  const text = parts.filter(Boolean).join(', ');
  return text || undefined;
}

/**
 * Fits generation g's model on `items` (files already written) and has the trainer save it to the model's own
 * folder, so a restarted process can load it. Fit and save are one unit: a process lost between them fits again.
 */
export async function fitModel(
  trainer: Trainer,
  options: TrainerOptions,
  ctx: FitContext<ExternalModel>,
  items: Record<string, unknown>,
): Promise<ExternalModel> {
  // Drawn first and always: the trainer's seed is a function of (run seed, generation) whatever happens below.
  const seed = ctx.rng.nextUint32();
  const previous = ctx.previous;
  const init = options.init === 'previous' ? (previous ? 'previous' : options.firstInit) : options.init;
  const { id, dir } = trainer.newModel(`g${ctx.generation}`);
  const needs = init === 'previous' && previous ? [previous] : [];
  const reply = await trainer.run(needs, async (send) => {
    // A repeated attempt starts from an empty folder: nothing of a crashed fit is read back.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const fitted = await send(
      'fit',
      {
        model: id,
        items,
        init,
        ...(init === 'previous' ? { previous: previous?.id } : {}),
        seed,
        generation: ctx.generation,
        checkpoint: dir,
      },
      (p) => ctx.progress(p.fraction, progressText(p)),
    );
    await send('save', { model: id, dir });
    return fitted;
  });
  trainer.markLoaded({ id });
  return { id, dir, metrics: reply.metrics ?? {} };
}

/** What the trainer said about a fit, as metrics named trainer<Name> so they never shadow the lab's own. */
export function trainerMetrics(model: ExternalModel): Metrics {
  const out: Metrics = {};
  for (const [key, value] of Object.entries(model.metrics))
    out[`trainer${key[0].toUpperCase()}${key.slice(1)}`] = value;
  return out;
}
