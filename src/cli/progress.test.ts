import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress, progressMode, SmoothedRate } from './progress.js';

function capture(isTTY: boolean) {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { text: string };
  stream.isTTY = isTTY;
  stream.text = '';
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
    stream.text += chunk.toString();
  });
  return stream;
}

describe('SmoothedRate', () => {
  it('ignores the start-up before the first generation and follows a change of pace', () => {
    const rate = new SmoothedRate();
    rate.observe(30, 1); // the first generation took 30 s of start-up: it only starts the clock
    expect(rate.value).toBeUndefined();
    for (let g = 2; g <= 21; g++) rate.observe(30 + (g - 1) * 0.5, g); // then 2 generations a second
    expect(rate.value).toBeCloseTo(2, 10);
    // The pace drops to 0.5/s: after 6 time constants (60 s) the estimate is within 1% of the new rate.
    let t = 40;
    for (let g = 22; g <= 51; g++) rate.observe((t += 2), g);
    expect(rate.value).toBeGreaterThan(0.5);
    expect(Math.abs((rate.value as number) - 0.5) / 0.5).toBeLessThan(0.01);
  });
});

describe('Progress', () => {
  it('shows run k/n, the generation, the ETA and the live metric', () => {
    const stderr = capture(true);
    const runs = [0, 1, 2, 3].map((i) => ({ label: `r${i}`, generations: 10, seed: i, metric: 'variance' }));
    const progress = new Progress(runs, 'bar', 'demo × 4 seeds', stderr);
    progress.generation(0, 0, { generation: 0, variance: 0.97 });
    progress.runEnded(1);
    progress.runEnded(0);
    progress.generation(2, 4, { generation: 4, variance: 0.5 });
    const line = progress.line();
    expect(line).toMatch(/^demo × 4 seeds {2}run 3\/4 {2}gen 6\/40 {2}\[.*\] /);
    expect(line).toContain('variance 0.5000');
    progress.finish();
    expect(stderr.text.startsWith('\r')).toBe(true);
    expect(stderr.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('counts no work left in a run that ended, even one whose generations were never reported', () => {
    // A cheap run going at one generation a second, and an expensive one that ended with none reported (the
    // executor thins generation events): only the cheap run's 5 generations are left.
    const runs = [
      { label: 'cheap', generations: 10, cost: 1 },
      { label: 'dear', generations: 10, cost: 1000 },
    ];
    const progress = new Progress(runs, 'bar', undefined, capture(true));
    const clock = performance.now;
    let seconds = 0;
    performance.now = () => seconds * 1000;
    try {
      progress.runEnded(1);
      for (let g = 0; g < 5; g++) {
        seconds = g + 1;
        progress.generation(0, g);
      }
      expect(progress.line(seconds * 1000)).toContain('ETA 0:05'); // not 10,005 s
    } finally {
      performance.now = clock;
    }
  });

  it("shows the current stage's message beside the line until the next generation ends", () => {
    const stderr = capture(true);
    const progress = new Progress([{ label: 'gpt-quick', generations: 4 }], 'bar', undefined, stderr);
    progress.stage(0, 'pretrain: epoch 1/6, loss 8.342, 9000 tokens/s, ETA 30 s');
    expect(progress.line()).toMatch(/gen 0\/4 .*· pretrain: epoch 1\/6, loss 8\.342, 9000 tokens\/s, ETA 30 s$/);
    progress.generation(0, 0);
    expect(progress.line()).not.toContain('pretrain');
  });

  it('counts work, not generations, for the ETA of runs that cost differently', () => {
    const clock = performance.now;
    let now = 0;
    performance.now = () => now;
    try {
      // A cheap run (100 generations of cost 1) and an expensive one (2 generations of cost 1,000).
      const runs = [
        { label: 'cheap', generations: 100, cost: 1 },
        { label: 'dear', generations: 2, cost: 1000 },
      ];
      const progress = new Progress(runs, 'bar', undefined, capture(true));
      for (let g = 0; g < 100; g++) {
        now = g * 10; // 100 cheap generations in a second
        progress.generation(0, g);
      }
      now = 11_000; // the first dear generation took 10 s
      progress.generation(1, 0);
      // 1,000 units of work left at ~100 a second: about 10 s, not the 0.1 s that 1 generation in 101 suggests.
      const eta = /ETA (\d+):(\d+)/.exec(progress.line()) as RegExpExecArray;
      expect(Number(eta[1]) * 60 + Number(eta[2])).toBeGreaterThanOrEqual(5);
    } finally {
      performance.now = clock;
    }
  });

  it('writes one JSON event per generation in jsonl mode, and nothing on stderr', () => {
    const stderr = capture(false);
    const stdout = capture(false);
    const progress = new Progress([{ label: 'a', generations: 3, seed: 7 }], 'jsonl', undefined, stderr, stdout);
    expect(progress.wantsEveryGeneration).toBe(true);
    for (let g = 0; g < 3; g++) progress.generation(0, g, { generation: g, x: g * 2 });
    progress.finish();
    const events = stdout.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.event, e.generation, e.seed, e.metrics.x])).toEqual([
      ['generation', 0, 7, 0],
      ['generation', 1, 7, 2],
      ['generation', 2, 7, 4],
    ]);
    expect(stderr.text).toBe('');
  });

  it('auto is a bar on a terminal and plain lines elsewhere; a bad mode names the flag', () => {
    const plain = capture(false);
    const progress = new Progress([{ label: 'a', generations: 2 }], 'auto', undefined, plain);
    progress.generation(0, 0);
    progress.generation(0, 1); // within 5 s of the first line: no second line until finish
    progress.finish();
    expect(plain.text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(plain.text).not.toContain('\r');
    expect(() => progressMode('fancy')).toThrow(
      /--progress: expected one of auto, bar, plain, jsonl, none, got 'fancy'/,
    );
  });
});
