/**
 * Sweeps: a grid of configs × seeds, run as trials in one folder — on this machine by default (a worker pool),
 * or on a BullMQ queue that any number of `collapse-lab worker` processes serve (queue/).
 */
import { invalidInput } from '../experiments/config.js';
import { expandSweep, type Trial } from './expand.js';
import { type SweepSpec, sweepSchema } from './spec.js';

export { configHash, expandSweep, type Trial } from './expand.js';
export { runSweepLocally, type SweepEvents } from './local.js';
export { type SweepSpec, sweepSchema } from './spec.js';
export { SweepFolder, type SweepRecord, type TrialRecord, type TrialState, type WorkerRecord } from './sweep-folder.js';

/** A sweep file's contents → its validated spec and trials; a bad spec or grid throws a UsageError naming the field. */
export function planSweep(input: unknown, source = 'sweep'): { spec: SweepSpec; trials: Trial[] } {
  const parsed = sweepSchema.safeParse(input);
  if (!parsed.success) throw invalidInput(input, parsed.error, source);
  return { spec: parsed.data, trials: expandSweep(parsed.data) };
}
