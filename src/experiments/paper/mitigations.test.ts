import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRun } from '../../core/run-store.js';
import { groupRuns } from '../../plots/groups.js';
import { runExperiment } from '../run.js';
import { mitigationsExperiment, remedyVerdict } from './mitigations.js';

describe('mitigations verdicts', () => {
  it('reads each verdict off the table: the sentence, the verdict column and the variance column agree', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-verdicts-'));
    const dirs: string[] = [];
    for (const config of mitigationsExperiment.configs(true))
      dirs.push((await runExperiment(config, { out, report: false })).runDir as string);
    const findings = mitigationsExperiment.findings(groupRuns(dirs.map(readRun)));
    const { headers, rows } = findings.table;
    const variance = headers.indexOf('variance');
    const verdict = headers.indexOf('verdict');
    const w2 = headers.indexOf('W2 to the truth');
    const replace = Number(rows.find((r) => r[0] === 'replace')?.[variance]);
    const sentence = findings.sentences.at(-1) as string;
    for (const row of rows) {
      if (row[0] === 'replace') continue;
      // The verdict follows from the printed number (so a reader can check it), and the sentence says the same.
      expect(row[verdict]).toBe(remedyVerdict(Number(row[variance]), replace, Number(row[w2])));
      expect(sentence).toContain(`${row[0]} ${row[verdict]}`);
    }
    // The rule's branches, on hand-made numbers.
    expect(remedyVerdict(1.2, 0.01)).toBe('keeps it near the truth');
    expect(remedyVerdict(1.02, 0.01, 3.77)).toBe('keeps the width, not the place (W2 3.77)');
    expect(remedyVerdict(0.2, 0.01)).toBe('helps'); // |ln 0.2| = 1.6 ≤ |ln 0.01| / 2 = 2.3
    expect(remedyVerdict(10.9, 0.01)).toBe('does not help (overshoots to 10.9)');
    expect(remedyVerdict(0.001, 0.01)).toMatch(/^does not help \(collapses to /);
  });
});
