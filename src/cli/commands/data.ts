/** `collapse-lab data fetch <dataset>`: download a data set into the cache (or --to DIR), checking checksums. */
import { UsageError } from '../../core/errors.js';
import { downloadMnist } from '../../data/mnist.js';
import { downloadWikiText, type WikiTextVariant } from '../../data/wikitext.js';
import { type CommandSpec, choiceFlag, helpText, parseCommand, str } from '../args.js';

export const commandSpec: CommandSpec = {
  name: 'data',
  usage: ['data fetch wikitext-2 [--variant tokens|raw] [--to DIR]', 'data fetch mnist [--to DIR]'],
  description: `Downloads a data set from its canonical URLs, verifies every file's sha256, and prints the folder. Files
already present and intact are kept. Without --to the files go to the cache ($COLLAPSE_LAB_CACHE, or
~/.cache/collapse-lab), where the loaders look after --data-dir and $COLLAPSE_LAB_DATA.`,
  flags: {
    variant: {
      type: 'string',
      value: 'v',
      help: `wikitext-2 only: tokens (wikitext-2-v1, the paper's; default) or raw (wikitext-2-raw-v1)`,
    },
    to: { type: 'string', value: 'dir', help: `download into DIR instead of the cache` },
  },
};

export const help = helpText(commandSpec);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, commandSpec);
  const [action, dataset] = positionals;
  if (action !== 'fetch' || (dataset !== 'wikitext-2' && dataset !== 'mnist') || positionals.length !== 2) {
    throw new UsageError(
      `data: expected 'data fetch wikitext-2' or 'data fetch mnist', got '${positionals.join(' ')}'`,
    );
  }
  if (dataset === 'mnist') {
    if (values.variant !== undefined) throw new UsageError(`--variant: applies to wikitext-2 only`);
    process.stdout.write(`${await downloadMnist({ to: str(values, 'to') })}\n`);
    return 0;
  }
  const variant: WikiTextVariant =
    choiceFlag(str(values, 'variant'), 'variant', ['tokens', 'raw'] as const) ?? 'tokens';
  const folder = await downloadWikiText({ variant, to: str(values, 'to') });
  process.stdout.write(`${folder}\n`);
  return 0;
}
