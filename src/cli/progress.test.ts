import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress.js';

function terminal() {
  const lines: string[] = [];
  const stream = { isTTY: true, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { lines, stream };
}

describe('the progress line', () => {
  it("shows the current stage's message beside the bar until the next generation ends", () => {
    const { lines, stream } = terminal();
    const bar = new ProgressBar(4, 'gpt-quick', stream);
    bar.stage('pretrain: epoch 1/6, loss 8.342, 9000 tokens/s, ETA 30 s');
    expect(lines.at(-1)).toContain('gen 0/4');
    expect(lines.at(-1)).toContain('· pretrain: epoch 1/6, loss 8.342, 9000 tokens/s, ETA 30 s');
    bar.update(0, true);
    expect(lines.at(-1)).toContain('gen 1/4');
    expect(lines.at(-1)).not.toContain('pretrain');
  });

  it('is silent off a terminal', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const bar = new ProgressBar(4, 'x', stream);
    bar.stage('fine-tune');
    bar.update(0, true);
    expect(lines).toEqual([]);
  });
});
