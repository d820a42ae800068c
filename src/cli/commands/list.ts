/** `collapse-lab list`: the families, the presets, and the runs in a runs folder with how far each got and whether each lives. */
import { listRuns } from '../../core/run-store.js';
import { presets } from '../../experiments/presets.js';
import { familyDefinitions } from '../../families/index.js';
import { parseFlags, str } from '../args.js';

export const help = `Usage: collapse-lab list [--out DIR] [--json]

Lists the model families, the presets and the runs under DIR (default: runs), with generations done and each run's state:
finished; running (its process is alive); dead (killed before it finished: 'collapse-lab resume' continues
it); incomplete (unfinished, with no trace of its process); damaged (a file it needs is unreadable: the
listing says which).

Flags:
  --out <dir>  the runs folder (default: runs)
  --json       print as JSON
  -h, --help   this help
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { out: { type: 'string' }, json: { type: 'boolean' } }, 'list');
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const root = str(values, 'out') ?? 'runs';
  const runs = listRuns(root);
  if (values.json) {
    const families = familyDefinitions().map((d) => ({
      name: d.name,
      sampleKind: d.sampleKind,
      description: d.description,
      presets: Object.keys(d.presets ?? {}),
    }));
    const described = Object.fromEntries(Object.entries(presets()).map(([k, p]) => [k, p.description]));
    process.stdout.write(`${JSON.stringify({ families, presets: described, runs }, null, 2)}\n`);
    return 0;
  }
  const lines = ['Families:'];
  for (const d of familyDefinitions()) lines.push(`  ${d.name.padEnd(14)} ${d.description} (${d.sampleKind})`);
  lines.push('', 'Presets:');
  for (const [name, preset] of Object.entries(presets())) lines.push(`  ${name.padEnd(14)} ${preset.description}`);
  lines.push('', `Runs in ${root}:`);
  if (runs.length === 0) lines.push('  (none yet: collapse-lab run <preset>)');
  for (const r of runs)
    lines.push(
      r.status === 'damaged'
        ? `  ${r.dir}  damaged: ${r.problem}`
        : `  ${r.dir}  ${r.generationsDone}/${r.generations} generations  ${r.status}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
