/**
 * A sweep on this machine: the unfinished trials go to a local executor (a worker pool over the cores) in
 * rounds; a trial that fails is retried in the next round, up to the spec's `retries`, then marked failed with
 * its error, and the others go on. Each trial runs to completion in its own folder, so a sweep killed and
 * started again resumes its unfinished trials and skips its finished ones.
 */
import type { Executor } from '../experiments/executor.js';
import type { Trial } from './expand.js';
import type { SweepFolder } from './sweep-folder.js';

export interface SweepEvents {
  /** sweep.json changed (a trial started, ended or moved on). */
  onChange?(folder: SweepFolder): void;
}

export async function runSweepLocally(
  folder: SweepFolder,
  trials: readonly Trial[],
  executor: Executor,
  events: SweepEvents = {},
): Promise<void> {
  const retries = folder.record.spec.retries;
  const changed = () => {
    folder.save();
    events.onChange?.(folder);
  };
  // Attempts in this invocation: a re-run of the sweep gives its failed trials a fresh set of tries.
  const tries = new Map<string, number>();
  let pending = trials.filter((t) => folder.trial(t.id).state !== 'finished');
  while (pending.length > 0) {
    const batch = pending;
    for (const t of batch) folder.trial(t.id).state = 'queued';
    changed();
    await executor.run(
      batch.map((t) => ({ config: t.config, out: null, dir: folder.trialDir(t.id), report: false })),
      {
        onGeneration(index, generation) {
          const record = folder.trial(batch[index].id);
          const first = record.state !== 'running';
          record.state = 'running';
          record.generationsDone = generation + 1;
          if (first) changed();
          else events.onChange?.(folder);
        },
        onOutcome(index, outcome) {
          const record = folder.trial(batch[index].id);
          record.attempts++;
          tries.set(record.id, (tries.get(record.id) ?? 0) + 1);
          if ('summary' in outcome) {
            record.state = 'finished';
            record.generationsDone = record.generations;
            delete record.error;
          } else {
            record.state = (tries.get(record.id) ?? 0) > retries ? 'failed' : 'queued';
            record.error = outcome.error.message.split('\n')[0];
          }
          changed();
        },
      },
    );
    pending = batch.filter((t) => folder.trial(t.id).state === 'queued');
  }
}
