import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reproduce } from '../experiments/reproduce.js';
import { resolveConfig, runExperiment } from '../experiments/run.js';
import { jsonSchemas, metricsLineFormat, resultsFormat, SCHEMA_IDS, summaryFormat } from './file-formats.js';

describe('published file formats', () => {
  it('docs/schemas holds exactly the JSON Schemas the formats generate (npm run schemas rewrites them)', () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const file = path.resolve('docs/schemas', name);
      expect(JSON.parse(fs.readFileSync(file, 'utf8')), `${file} is stale: run npm run schemas`).toEqual(schema);
    }
  });

  it("a run's summary.json and metrics.jsonl, and reproduce's results.json, follow them and name their versions", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-formats-'));
    for (const preset of ['dice', 'gaussian', 'gmm']) {
      const { runDir } = await runExperiment(resolveConfig(preset, { generations: 3 }), { out, report: false });
      const summary = JSON.parse(fs.readFileSync(path.join(runDir as string, 'summary.json'), 'utf8'));
      expect(summaryFormat.parse(summary).schema).toBe(SCHEMA_IDS.summary);
      for (const line of fs
        .readFileSync(path.join(runDir as string, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n'))
        metricsLineFormat.parse(JSON.parse(line));
    }
    const suite = path.join(out, 'suite');
    await reproduce({ quick: true, only: ['dice'], out: suite, parallel: 1 });
    const results = resultsFormat.parse(JSON.parse(fs.readFileSync(path.join(suite, 'results.json'), 'utf8')));
    expect(results.schema).toBe(SCHEMA_IDS.results);
    // A wrong file fails: the formats are not a rubber stamp.
    expect(() => metricsLineFormat.parse({ generation: -1, trainSize: 1, realFraction: 0 })).toThrow();
    expect(() => metricsLineFormat.parse({ generation: 0, trainSize: 1, realFraction: 0, x: 'text' })).toThrow();
  });
});
