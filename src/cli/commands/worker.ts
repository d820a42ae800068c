/** `collapse-lab worker --queue URL`: serve a sweep queue until stopped (Ctrl-C finishes the current trials first). */
import { UsageError } from '../../core/errors.js';
import { checkRedis, DEFAULT_QUEUE } from '../../sweeps/queue/connection.js';
import { startWorker } from '../../sweeps/queue/worker.js';
import { type CommandSpec, helpText, intFlag, parseCommand, str } from '../args.js';

export const commandSpec: CommandSpec = {
  name: 'worker',
  usage: ['worker --queue redis://HOST:PORT [flags]'],
  description: `Takes trials off a sweep queue (see 'collapse-lab sweep --help') and runs each in its own process, until
stopped with Ctrl-C or SIGTERM (the trials in hand finish first). Start as many as you like, on any machines
that reach the Redis and see the sweep's --artifacts storage under the same path.`,
  flags: {
    queue: { type: 'string', value: 'url', help: `the Redis of the queue (required)` },
    'queue-name': { type: 'string', value: 'name', help: `the queue (default: ${DEFAULT_QUEUE})` },
    concurrency: {
      type: 'string',
      value: 'n',
      help: `trials at once in this worker (default 1; one per core is the most that helps)`,
    },
    'lock-seconds': {
      type: 'string',
      value: 's',
      help: `a worker silent this long is presumed dead and its trial handed on (default 30)`,
    },
  },
};

export const help = helpText(commandSpec);

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, commandSpec);
  const url = str(values, 'queue');
  if (!url) throw new UsageError('worker: --queue redis://HOST:PORT is required; see --help');
  await checkRedis(url);
  const worker = await startWorker({
    url,
    queue: str(values, 'queue-name'),
    concurrency: intFlag(str(values, 'concurrency'), 'concurrency', 1),
    lockSeconds: intFlag(str(values, 'lock-seconds'), 'lock-seconds', 1),
  });
  process.stderr.write(`collapse-lab worker ${worker.id}: serving ${str(values, 'queue-name') ?? DEFAULT_QUEUE}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.close();
  return 0;
}
