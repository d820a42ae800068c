/**
 * File-system errors are user errors: exit 2 with the path and what to do, no stack trace, and a run folder
 * that could not be made leaves nothing behind. A disk that fills mid-run leaves a folder that resumes, once
 * there is room, to exactly the metrics of an uninterrupted run. The full disk is a real tmpfs when the tests
 * run as root, and an injected fs.writeSync that fails at the Nth write otherwise (and as well).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileSystemError } from '../core/fs-errors.js';
import { failWritesFrom, mountSmallDisk } from '../core/test-helpers/small-disk.js';
import { resolveConfig, resumeExperiment, runExperiment } from '../experiments/run.js';
import { run } from './commands/run.js';

const CLI = path.resolve('dist/cli/main.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-fs-'));
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const metricsText = (dir: string) => fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('file-system errors', () => {
  it('--out on a file, --config on a folder: exit 2 naming the path and the fix, nothing written', async () => {
    const dir = tmp();
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    const cases: [string[], RegExp][] = [
      [['dice', '--out', file], /cannot mkdir '.*a-file.*': .*\((EEXIST|ENOTDIR)\); .*Nothing was written/],
      [['dice', '--out', path.join(file, 'runs')], /cannot mkdir '.*a-file\/runs': .*\(ENOTDIR\); give a path/],
      [['--config', dir], /cannot read '.*': it is a folder, not a file \(EISDIR\); give the path of a file/],
    ];
    for (const [args, message] of cases) {
      // As main.ts reports it: a file-system error becomes exit 2 with this message.
      const error = await run([...args, '--no-report']).then(
        () => undefined,
        (e: unknown) => fileSystemError(e) ?? e,
      );
      expect((error as { exitCode?: number }).exitCode, `${args.join(' ')}: ${error}`).toBe(2);
      expect((error as Error).message).toMatch(message);
    }
    expect(fs.readdirSync(dir)).toEqual(['a-file']);
    // End to end once: the message alone on stderr, exit 2.
    const result = cli(['run', 'dice', '--out', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^collapse-lab: cannot mkdir '.*a-file.*': .*Nothing was written\n$/);
  });

  it('a run folder that cannot be made whole leaves nothing behind (injected: the first write fails)', async () => {
    const root = path.join(tmp(), 'new', 'runs');
    failWritesFrom(1);
    await expect(
      runExperiment(resolveConfig('dice', { generations: 3 }), { out: root, report: false }),
    ).rejects.toThrow(/cannot write '.*config\.json': no space left on the device \(ENOSPC\).*Nothing was written/);
    expect(fs.existsSync(path.dirname(root))).toBe(false);
  });

  it('a disk that fills at any write mid-run: exit 2, then resume ends with the uninterrupted metrics (injected)', async () => {
    const config = resolveConfig('gaussian', {
      generations: 40,
      samplesPerGeneration: 30,
      heldOutSize: 40,
      checkpointSeconds: 0,
      snapshotGenerations: [5, 20],
    });
    const expected = (await runExperiment(config, { out: null })).metrics.map((m) => `${JSON.stringify(m)}\n`).join('');
    for (const n of [3, 17, 60, 101, 157]) {
      const out = tmp();
      failWritesFrom(n);
      const error = await runExperiment(config, { out, report: false }).catch((e: Error) => e);
      vi.restoreAllMocks();
      expect(error, `write ${n}`).toMatchObject({ exitCode: 2 });
      const dir = path.join(out, fs.readdirSync(out)[0]);
      expect((error as Error).message).toMatch(new RegExp(`ENOSPC.*'collapse-lab resume ${dir}' continues it`));
      expect(fs.readdirSync(dir)).not.toContain('lock');
      await resumeExperiment(dir, { report: false, onNotice: () => {} });
      expect(metricsText(dir), `write ${n}`).toBe(expected);
    }
  });

  const disk = mountSmallDisk(160 * 1024);
  it.skipIf(!disk)(
    'a real full disk (tmpfs) mid-run: exit 2 naming the file; after freeing space, resume finishes it',
    async () => {
      const small = disk as NonNullable<typeof disk>;
      try {
        const args = ['--generations', '1500', '--samples', '100', '--seed', '4'];
        const result = cli(['run', 'gaussian', ...args, '--out', small.dir, '--no-report']);
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr).toMatch(/cannot write '.*': no space left on the device \(ENOSPC\); free some space/);
        expect(result.stderr).not.toMatch(/internal error/);
        const dir = path.join(small.dir, fs.readdirSync(small.dir)[0]);
        small.resize(16 * 1024 * 1024);
        const resumed = cli(['resume', dir, '--json', '--no-report']);
        expect(resumed.status, resumed.stderr).toBe(0);
        const config = resolveConfig('gaussian', { generations: 1500, samplesPerGeneration: 100, seed: 4 });
        const expected = (await runExperiment(config, { out: null })).metrics.map((m) => `${JSON.stringify(m)}\n`);
        expect(metricsText(dir)).toBe(expected.join(''));
      } finally {
        small.unmount();
      }
    },
  );
});
