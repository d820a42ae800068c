/**
 * The sandboxed processor of `collapse-lab worker`: BullMQ runs it in a child process, so CPU-bound training
 * never stalls the worker's lock renewal. It brings the trial's run folder on the artefacts storage to
 * completion — starting it, or resuming it from its last checkpoint when the job comes back after a worker died
 * — and returns the small files for the coordinator.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxedJob } from 'bullmq';
import { FILES } from '../../core/run-store.js';
import { loadPlugins } from '../../experiments/plugins.js';
import { runToCompletion } from '../../experiments/run.js';
import { SMALL_SAMPLES_BYTES, type TrialJob, type TrialResult } from './job.js';

// A processor orphaned by its worker's death must not go on writing the trial another worker now owns.
process.on('disconnect', () => process.exit(1));

export default async function processTrial(job: SandboxedJob<TrialJob, TrialResult>): Promise<TrialResult> {
  await loadPlugins();
  const { config, runDir } = job.data;
  let last = 0;
  await runToCompletion(config, runDir, {
    report: false,
    foreignLockIsStale: true,
    onGeneration: (_, generation) => {
      const now = Date.now();
      if (now - last < 1000 && generation < config.generations - 1) return;
      last = now;
      void job.updateProgress({ generation: generation + 1, generations: config.generations });
    },
  });
  const read = (name: string) => fs.readFileSync(path.join(runDir, name), 'utf8');
  return {
    config: read(FILES.config),
    metrics: read(FILES.metrics),
    summary: read(FILES.summary),
    ...smallSamples(path.join(runDir, FILES.samples)),
  };
}

/** The snapshot files, if together they are small; otherwise none (they stay on the artefacts storage). */
function smallSamples(dir: string): Pick<TrialResult, 'samples'> {
  if (!fs.existsSync(dir)) return {};
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  const bytes = files.reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  if (files.length === 0 || bytes > SMALL_SAMPLES_BYTES) return {};
  return { samples: Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')])) };
}
