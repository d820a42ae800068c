/** A sweep folder is untrusted input too: trial ids in sweep.json name folders, so they must be plain names. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SweepFolder } from './sweep-folder.js';

describe('sweep.json', () => {
  it('refuses a trial id that would lead outside trials/', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-sweepjson-'));
    for (const id of ['../../victim', '/abs', '..', 'a/b']) {
      fs.writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ format: 1, trials: [{ id: 'ok-1' }, { id }] }));
      expect(() => SweepFolder.read(dir), id).toThrow(/sweep\.json: trial id .* is not a plain folder name/);
    }
    fs.writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ format: 1, trials: [{ id: 'sweep-0123abcd' }] }));
    expect(SweepFolder.read(dir)?.trials).toHaveLength(1);
  });
});
