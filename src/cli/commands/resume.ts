/** `collapse-lab resume <runDir>`: continue a killed run from its last checkpoint. */
import { UsageError } from '../../core/errors.js';
import { RunFolder } from '../../core/run-folder.js';
import { resumeExperiment } from '../../experiments/run.js';
import { parseFlags } from '../args.js';
import { printSummary } from '../output.js';
import { ProgressBar } from '../progress.js';

export const help = `Usage: collapse-lab resume <runDir> [--restart] [--no-report] [--json]

Continues a run that was interrupted (Ctrl-C, kill -9, a crash) from its last checkpoint. Generations after
the checkpoint are recomputed; since every random stream derives from (seed, generation), the finished run
has exactly the metrics an uninterrupted one would. A damaged newest checkpoint falls back to the one before
it; if metrics.jsonl has a hole no checkpoint can refill, resume stops (exit 2) and says so.

Flags:
  --restart    recompute every generation from generation 0 in this folder (when no checkpoint is usable)
  --no-report  skip report.html and figures/ (rebuild later with 'collapse-lab compare <runDir>')
  --json       print the summary as JSON on stdout
  -h, --help   this help
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { json: { type: 'boolean' }, restart: { type: 'boolean' }, 'no-report': { type: 'boolean' } },
    'resume',
  );
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("resume: give exactly one run folder (see 'collapse-lab list')");
  const dir = positionals[0];
  const total = (RunFolder.open(dir).readConfig() as { generations: number }).generations;
  const bar = new ProgressBar(total, 'resume');
  const result = await resumeExperiment(dir, {
    restart: Boolean(values.restart),
    report: !values['no-report'],
    onGeneration: (_, g) => bar.update(g),
    onNotice: (message) => process.stderr.write(`collapse-lab: ${message}\n`),
  });
  bar.finish();
  printSummary(result.summary, Boolean(values.json));
  return 0;
}
