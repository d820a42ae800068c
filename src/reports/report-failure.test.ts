import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { resolveConfig, runExperiment } from '../experiments/run.js';
import { tempDir } from './test-helpers/fixtures.js';

// The report builder fails: the run must still finish with all its data, and say what happened.
vi.mock('./report.js', () => ({
  buildRunReport: async () => {
    throw new Error('renderer exploded');
  },
}));

describe('a failing report', () => {
  it('is logged and loses nothing of the run', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      const config = resolveConfig('gaussian', { generations: 5, samplesPerGeneration: 20, heldOutSize: 100 });
      const result = await runExperiment(config, { out: tempDir() });
      const dir = result.runDir as string;
      expect(result.metrics).toHaveLength(5);
      expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
      expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(false);
      expect(errors.join('')).toMatch(/report for .* failed \(run data kept\): Error: renderer exploded/);
    } finally {
      spy.mockRestore();
    }
  });
});
