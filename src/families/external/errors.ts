/** What goes wrong with a trainer process, said so that the person who wrote the trainer can fix it. */
import type { Verb } from './messages.js';

/**
 * The trainer failed at `verb`: it crashed, hung, wrote a line outside the protocol, answered another protocol
 * version, or reported an error. Exit code 2: the user's program to fix; the run folder stays resumable.
 */
export class TrainerError extends Error {
  override readonly name = 'TrainerError';
  readonly exitCode = 2;

  constructor(
    readonly verb: Verb,
    readonly problem: string,
    readonly stderrTail: readonly string[],
    where: { readonly command: string; readonly runDir?: string },
  ) {
    const tail =
      stderrTail.length > 0
        ? `\nlast lines of its stderr:\n${stderrTail.map((line) => `  | ${line}`).join('\n')}`
        : '\n(it wrote nothing on stderr)';
    const resume = where.runDir
      ? `\nthe run folder keeps every generation up to its last checkpoint: fix the trainer, then 'collapse-lab resume ${where.runDir}'`
      : '';
    // The first line stands alone (reproduce shows only it): it ends with the trainer's last words.
    const last = stderrTail.length > 0 ? `; its last stderr line: ${stderrTail[stderrTail.length - 1]}` : '';
    super(`external trainer '${where.command}' failed at '${verb}': ${problem}${last}${tail}${resume}`);
  }
}
