import { describe, expect, it } from 'vitest';
import { vaeExperiment } from './vae.js';

describe('the vae paper experiment', () => {
  it('runs vae-quick under replace and mix, and the notebook preset with accumulate only under --full', () => {
    const summary = (quick: boolean, full?: boolean) =>
      vaeExperiment.configs(quick, full).map((c) => `${c.preset} ${c.policy.type}`);
    expect(summary(true)).toEqual(['vae-quick replace', 'vae-quick mix']);
    expect(summary(false)).toEqual(['vae-quick replace', 'vae-quick mix']);
    expect(summary(false, true)).toEqual(['vae-paper replace', 'vae-paper mix', 'vae-paper accumulate']);
    const paper = vaeExperiment.configs(false, true)[0];
    expect(paper.family).toMatchObject({ architecture: 'conv', epochs: 30, batchSize: 256, data: 'streamed' });
    expect(paper.samplesPerGeneration).toBe(60_000);
    expect(paper.generations).toBe(20);
  });
});
