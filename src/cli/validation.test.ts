/**
 * The validation escapes the reliability audit found: each ends in exit 2 with a message naming the field, the
 * value and the fix, no stack trace, and nothing written. The commands run in this process (a UsageError is what
 * main.ts turns into exit 2); two cases go through the built CLI to check that end to end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = path.resolve('dist/cli/main.js');

/** A command as main.ts runs it, in this process. */
async function command([name, ...argv]: string[]): Promise<number> {
  const modules: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
    run: () => import('./commands/run.js'),
    reproduce: () => import('./commands/reproduce.js'),
  };
  return (await modules[name]()).run(argv);
}

describe('validation escapes', () => {
  it('each bad input: exit 2, a clear message, nothing written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-valid-'));
    const file = (name: string, text: string | Buffer) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    let deep = '{"type": "gmm"}';
    for (let i = 0; i < 20_000; i++) deep = `{"x": ${deep}}`;
    const latin1 = file(
      'latin1.txt',
      Buffer.concat([Buffer.from('the caf'), Buffer.from([0xe9]), Buffer.from(' is open\n'.repeat(50))]),
    );
    const cases: [string[], RegExp][] = [
      [
        ['run', 'gmm', '--samples', '1'],
        /samplesPerGeneration: family 'gmm' needs at least 2 items to fit \(EM needs a point per component/,
      ],
      [
        [
          'run',
          '--config',
          file(
            'small-real.json',
            '{"generations": 3, "samplesPerGeneration": 50, "realSize": 1, "family": {"type": "gmm"}, "real": {"type": "gaussian", "mean": [0, 0]}}',
          ),
        ],
        /realSize: family 'gmm' needs at least 2 items/,
      ],
      [
        ['run', 'gmm', '--samples', '1000000000000'],
        /samplesPerGeneration: 1,000,000,000,000 items is above the lab's bound of 100,000,000 per set; .* at least 24 TB of memory \(24 bytes an item\)/,
      ],
      [
        ['run', 'gaussian', '--config', file('huge-real.yaml', 'realSize: 1e11\n')],
        /realSize: 100,000,000,000 items is above the lab's bound .*1\.6 TB/,
      ],
      [
        ['run', 'gmm', '--config', file('deep.json', `{"family": ${deep}}`)],
        /invalid config.*\n {2}family\.x\.x\.x\.x\.x…: nested 17 levels deep; a config is at most 16|is not valid JSON/,
      ],
      [
        ['run', 'gmm', '--config', file('proto.yaml', '__proto__:\n  generations: 5\nfamilyy: 3\n')],
        /__proto__: '__proto__' is not a setting; remove it/,
      ],
      [
        ['run', 'gmm', '--config', file('proto.json', '{"family": {"__proto__": {"components": 3}}}')],
        /family\.__proto__: '__proto__' is not a setting/,
      ],
      [['run', 'gmm', '--generations', '-5'], /--generations: expected an integer ≥ 1 in decimal digits, got '-5'/],
      [['run', 'gmm', '--generations', '0x5'], /--generations: expected an integer ≥ 1 in decimal digits, got '0x5'/],
      [['run', 'gmm', '--seed', '-1'], /--seed: expected an integer ≥ 0 in decimal digits, got '-1'/],
      [
        ['run', 'ngram-quick', '--config', file('text.yaml', `real: { type: text, path: ${latin1} }\n`)],
        /real\.path: '.*latin1\.txt' is not UTF-8 text: byte offset 7 \(bytes e9 20 69 73\) is not valid UTF-8; convert it/,
      ],
      [
        ['reproduce', '--only', 'nosuch', '--out', path.join(dir, 'runs', 'report')],
        /reproduce: unknown experiment 'nosuch'; choose from /,
      ],
    ];
    for (const [args, message] of cases) {
      const out = args[0] === 'run' ? ['--out', path.join(dir, 'runs')] : [];
      const error = await command([...args, ...out]).then(
        () => new Error('accepted'),
        (e: Error) => e,
      );
      expect((error as { exitCode?: number }).exitCode, `${args.join(' ')}: ${error.stack}`).toBe(2);
      expect(error.message, args.join(' ')).toMatch(message);
    }
    // End to end: exit code 2, the message alone on stderr, and no folder in the working directory either.
    for (const args of [
      ['run', 'gmm', '--config', path.join(dir, 'deep.json')],
      ['reproduce', '--only', 'nosuch'],
    ]) {
      const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^collapse-lab: \S/);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    expect(fs.readdirSync(dir).filter((f) => !/\.(json|yaml|txt)$/.test(f))).toEqual([]); // no runs/, nothing else
  });
});
