/**
 * Every file of a killed run folder, truncated, deleted, garbled, or replaced by a symlink that leads out:
 * `list` never fails, and `resume` either finishes with exactly the uninterrupted metrics or stops with exit 2
 * and a message naming the file, never another error. Nothing outside the folder is read into it or changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRuns, readRun } from '../core/run-store.js';
import { resolveConfig, resumeExperiment, runExperiment } from './run.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-corrupt-'));

const FILES = [
  'config.json',
  'metrics.jsonl',
  'progress.json',
  'checkpoints/latest.json',
  'checkpoints/model-g0.bin',
  'checkpoints/model-g5.bin', // the fallback checkpoint's model
  'checkpoints/model-g6.bin',
  'checkpoints/synthetic-g0.bin',
  'checkpoints/synthetic-g6.bin',
  'samples/generation-5.json',
];

const DAMAGES: Record<string, (file: string, victim: string) => void> = {
  truncate: (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)),
  delete: (file) => fs.rmSync(file),
  garble: (file) => {
    const bytes = fs.readFileSync(file);
    const at = Math.floor(bytes.length / 2);
    fs.writeFileSync(
      file,
      Buffer.concat([bytes.subarray(0, at), Buffer.from([0, 0xff, 0x7b, 0x22]), bytes.subarray(at + 4)]),
    );
  },
  traverse: (file, victim) => {
    fs.rmSync(file);
    fs.symlinkSync(victim, file);
  },
};

/** Files whose damage must not stop a resume: nothing needs them, or the older checkpoint stands in. */
const RECOVERABLE = new Set([
  'progress.json',
  'samples/generation-5.json',
  'checkpoints/model-g5.bin',
  'checkpoints/model-g6.bin',
  'checkpoints/synthetic-g6.bin',
]);

describe('run-folder corruption', () => {
  it('truncate, delete, garble or traverse any file: resume finishes exactly or exits 2 naming the file', async () => {
    const config = resolveConfig('gaussian', {
      generations: 12,
      samplesPerGeneration: 30,
      heldOutSize: 40,
      checkpointSeconds: 0,
      policy: { type: 'accumulate' },
      snapshotGenerations: [0, 5, 11],
    });
    const expected = (await runExperiment(config, { out: null })).metrics.map((m) => `${JSON.stringify(m)}\n`).join('');
    const pristineRoot = tmp();
    const abort = new AbortController();
    await runExperiment(config, {
      out: pristineRoot,
      report: false,
      signal: abort.signal,
      onGeneration: (_, g) => g === 6 && abort.abort(),
    }).catch(() => {});
    const pristine = path.join(pristineRoot, fs.readdirSync(pristineRoot)[0]);
    const victim = path.join(tmp(), 'victim.json');
    const victimText = '{"precious": true}\n';

    for (const file of FILES) {
      for (const [damage, apply] of Object.entries(DAMAGES)) {
        const label = `${damage} ${file}`;
        fs.writeFileSync(victim, victimText);
        const root = tmp();
        const dir = path.join(root, 'run');
        fs.cpSync(pristine, dir, { recursive: true });
        apply(path.join(dir, file), victim);

        expect(() => listRuns(root), label).not.toThrow();
        try {
          readRun(dir).snapshot(5);
        } catch (error) {
          expect((error as { exitCode?: number }).exitCode, `${label}: readRun ${error}`).toBe(2);
        }
        const outcome = await resumeExperiment(dir, { report: false, onNotice: () => {} }).then(
          () => undefined,
          (error: Error & { exitCode?: number }) => error,
        );
        if (outcome === undefined) {
          expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8'), label).toBe(expected);
        } else {
          expect(outcome.exitCode, `${label}: ${outcome.stack}`).toBe(2);
          expect(outcome.message, label).toContain(path.basename(file));
          expect(RECOVERABLE.has(file), `${label} should have resumed: ${outcome.message}`).toBe(false);
        }
        expect(fs.readFileSync(victim, 'utf8'), label).toBe(victimText);
        const metrics = path.join(dir, 'metrics.jsonl');
        if (fs.existsSync(metrics) && !fs.lstatSync(metrics).isSymbolicLink())
          expect(fs.readFileSync(metrics, 'utf8'), label).not.toContain('precious');
      }
    }
  });
});
