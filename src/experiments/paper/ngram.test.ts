import { describe, expect, it } from 'vitest';
import type { RunGroup } from '../../plots/groups.js';
import { ngramExperiment } from './ngram.js';

const line = (generation: number, ppl: number) => ({
  generation,
  testPerplexity: ppl,
  syntheticPerplexityP50: ppl * 2,
  syntheticPerplexityP95: ppl * 5,
  rareTypesProduced: 1 - generation / 10,
  distinct3: 0.7,
});
const group = (type: string, ppls: number[]): RunGroup =>
  ({ label: type, runs: [{ config: { policy: { type } }, metrics: ppls.map((p, g) => line(g, p)) }] }) as never;

describe('the ngram reproduce experiment', () => {
  it('runs replace, mix 10% and accumulate on the ngram presets', () => {
    const quick = ngramExperiment.configs(true);
    expect(quick.map((c) => [c.preset, c.policy.type])).toEqual([
      ['ngram-quick', 'replace'],
      ['ngram-quick', 'mix'],
      ['ngram-quick', 'accumulate'],
    ]);
    expect(ngramExperiment.configs(false)[0].samplesPerGeneration).toBe(32_634);
  });

  it('states the figures computed from the runs', () => {
    const findings = ngramExperiment.findings([
      group('replace', [200, 300, 400]),
      group('mix', [200, 250, 280]),
      group('accumulate', [200, 220, 230]),
    ]);
    expect(findings.sentences[0]).toContain(
      'test perplexity 200.0; under replace it reached 400.0 by generation 2 (×2.00)',
    );
    expect(findings.sentences[1]).toContain('ended at 280.0; accumulating all data, at 230.0');
    expect(findings.table.rows[2]).toEqual(['accumulate', '200.0', '230.0', '460.0', '80.0%', '0.700']);
  });
});
