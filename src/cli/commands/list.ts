/**
 * `collapse-lab list`: the families, the presets, and what a runs folder holds: each run with its family,
 * policy, seed, start, state and a headline number, and the collections (seeds, comparisons, reproduce
 * suites, sweeps) with the runs inside them.
 */
import path from 'node:path';
import { type CollectionListing, listCollections, listRuns, type RunListing } from '../../core/run-store.js';
import { presets } from '../../experiments/presets.js';
import { familyDefinitions, findFamily } from '../../families/index.js';
import { type CommandSpec, helpText, parseCommand, str } from '../args.js';

export const commandSpec: CommandSpec = {
  name: 'list',
  usage: ['list [--out DIR] [--json]'],
  description: `Lists the model families, the presets and what DIR (default: runs) holds:
- runs: folder, family, policy, seed, start time, generations done, state, and the latest value of the
  family's diversity metric (the one its collapse rate is computed from);
- collections: 'run --seeds' folders, comparisons, reproduce suites and sweeps, with the runs inside.
States: finished; running (its process is alive); dead (killed before it finished: 'collapse-lab resume'
continues it); incomplete (unfinished, with no trace of its process); damaged (a file it needs is
unreadable: the listing says which).`,
  flags: {
    out: { type: 'string', value: 'dir', help: `the runs folder (default: runs)` },
    json: { type: 'boolean', help: `print as JSON` },
  },
};

export const help = helpText(commandSpec);

/** The family's diversity metric and its latest value: one number that says how far a run has collapsed. */
function headline(run: RunListing): { metric: string; value: number } | null {
  const metric = findFamily(run.family)?.diversity;
  const value = metric === undefined ? undefined : run.latest?.[metric];
  return metric !== undefined && typeof value === 'number' ? { metric, value } : null;
}

function described(run: RunListing) {
  const { latest: _latest, ...rest } = run;
  return { ...rest, headline: headline(run) };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, commandSpec);
  const root = str(values, 'out') ?? 'runs';
  const runs = listRuns(root);
  const collections = listCollections(root);
  if (values.json) {
    const families = familyDefinitions().map((d) => ({
      name: d.name,
      sampleKind: d.sampleKind,
      description: d.description,
      presets: Object.keys(d.presets ?? {}),
    }));
    const presetText = Object.fromEntries(Object.entries(presets()).map(([k, p]) => [k, p.description]));
    const json = {
      families,
      presets: presetText,
      runs: runs.map(described),
      collections: collections.map((c) => ({ ...c, runs: c.runs.map(described) })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  const lines = ['Families:'];
  for (const d of familyDefinitions()) lines.push(`  ${d.name.padEnd(14)} ${d.description} (${d.sampleKind})`);
  lines.push('', 'Presets:');
  for (const [name, preset] of Object.entries(presets())) lines.push(`  ${name.padEnd(14)} ${preset.description}`);
  lines.push('', `Runs in ${root}:`);
  if (runs.length === 0) lines.push('  (none yet: collapse-lab run <preset>)');
  else lines.push(...runTable(runs, '  '));
  if (collections.length > 0) {
    lines.push('', `Collections in ${root}:`);
    for (const c of collections) lines.push(...collectionLines(c));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function collectionLines(c: CollectionListing): string[] {
  const states = new Map<string, number>();
  for (const r of c.runs) states.set(r.status, (states.get(r.status) ?? 0) + 1);
  const counts = [...states].map(([s, n]) => `${n} ${s}`).join(', ');
  const head = `  ${c.dir}  ${c.kind}  ${c.runs.length} run${c.runs.length === 1 ? '' : 's'}${counts ? ` (${counts})` : ''}  ${day(c.started)}`;
  return [head, ...(c.report ? [`    report: ${c.report}`] : []), ...runTable(c.runs, '    ', c.dir)];
}

/** Aligned columns; folder names relative to `base` inside a collection. */
function runTable(runs: readonly RunListing[], indent: string, base?: string): string[] {
  const rows = runs.map((r) => {
    const dir = base ? path.relative(base, r.dir) : r.dir;
    if (r.status === 'damaged') return [dir, `damaged: ${r.problem}`];
    const h = headline(r);
    return [
      dir,
      r.family,
      r.policy,
      `seed ${r.seed}`,
      r.started ? day(r.started) : '',
      `${r.generationsDone}/${r.generations} generations`,
      r.status,
      h ? `${h.metric} ${formatNumber(h.value)}` : '',
    ];
  });
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => `${indent}${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd());
}

function day(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function formatNumber(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
}
