/** `collapse-lab report <folder>...`: rebuild the report of a run (or a sweep) in place, from its files. */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { FILES } from '../../core/run-store.js';
import { type CommandSpec, helpText, parseCommand } from '../args.js';

export const commandSpec: CommandSpec = {
  name: 'report',
  usage: ['report <runDir|sweepDir>... [--json]'],
  description: `Rebuilds report.html and figures/ in each folder from the files it holds (config.json, metrics.jsonl, ...):
after 'run --no-report', after an upgrade of collapse-lab, or for an unfinished run (its report says so).
A sweep folder (sweep.json) gets its sweep report. Nothing else in the folder changes.`,
  flags: {
    json: { type: 'boolean', help: `print the report paths as JSON` },
  },
};

export const help = helpText(commandSpec);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, commandSpec);
  if (positionals.length === 0) throw new UsageError("report: give one or more run folders (see 'collapse-lab list')");
  for (const dir of positionals) kindOf(dir); // every folder checked before any report is written
  const written: string[] = [];
  for (const dir of positionals) {
    if (kindOf(dir) === 'sweep')
      written.push((await (await import('../../sweeps/report.js')).buildSweepReport(dir)).html);
    else written.push((await (await import('../../reports/report.js')).buildRunReport(dir)).html);
  }
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ reports: written }, null, 2)}\n`
      : `${written.map((h) => `report: ${h}`).join('\n')}\n`,
  );
  return 0;
}

function kindOf(dir: string): 'run' | 'sweep' {
  if (!fs.existsSync(dir)) throw new UsageError(`report: '${dir}' does not exist`);
  if (fs.existsSync(path.join(dir, FILES.config))) return 'run';
  if (fs.existsSync(path.join(dir, 'sweep.json'))) return 'sweep';
  throw new UsageError(
    `report: '${dir}' is not a run folder (no ${FILES.config}) nor a sweep folder (no sweep.json); a comparison is rebuilt with 'collapse-lab compare <runDir>...'`,
  );
}
