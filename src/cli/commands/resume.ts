/** `collapse-lab resume <runDir>`: continue a killed run from its last checkpoint. */
import { UsageError } from '../../core/errors.js';
import { RunFolder } from '../../core/run-folder.js';
import type { ExperimentConfig } from '../../experiments/config.js';
import { resumeExperiment } from '../../experiments/run.js';
import { type CommandSpec, helpText, parseCommand } from '../args.js';
import { printSummary } from '../output.js';
import { Progress, progressMode, trackedRun } from '../progress.js';

export const commandSpec: CommandSpec = {
  name: 'resume',
  usage: ['resume <runDir> [--restart] [--no-report] [--json]'],
  description: `Continues a run that was interrupted (Ctrl-C, kill -9, a crash) from its last checkpoint. Generations after
the checkpoint are recomputed; since every random stream derives from (seed, generation), the finished run
has exactly the metrics an uninterrupted one would. A damaged newest checkpoint falls back to the one before
it; if metrics.jsonl has a hole no checkpoint can refill, resume stops (exit 2) and says so.`,
  flags: {
    restart: {
      type: 'boolean',
      help: `recompute every generation from generation 0 in this folder (when no checkpoint is usable)`,
    },
    'no-report': {
      type: 'boolean',
      help: `skip report.html and figures/ (rebuild later with 'collapse-lab report <runDir>')`,
    },
    progress: { type: 'string', help: `auto | bar | plain | jsonl | none (as for 'run')` },
    json: { type: 'boolean', help: `print the summary as JSON on stdout` },
  },
};

export const help = helpText(commandSpec);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, commandSpec);
  if (positionals.length !== 1) throw new UsageError("resume: give exactly one run folder (see 'collapse-lab list')");
  const dir = positionals[0];
  const mode = progressMode(typeof values.progress === 'string' ? values.progress : undefined);
  const config = RunFolder.open(dir).readConfig() as ExperimentConfig;
  const progress = new Progress([trackedRun(config, `resume ${config.name}`)], mode);
  const result = await resumeExperiment(dir, {
    restart: Boolean(values.restart),
    report: !values['no-report'],
    onGeneration: (line, g) => progress.generation(0, g, line),
    onStage: (_g, _stage, _fraction, message) => progress.stage(0, message),
    onNotice: (message) => process.stderr.write(`collapse-lab: ${message}\n`),
  }).finally(() => progress.finish());
  printSummary(result.summary, Boolean(values.json));
  return 0;
}
