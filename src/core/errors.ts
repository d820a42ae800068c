/** Errors people cause (a bad config, flag or file): the CLI prints the message alone and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** A run folder that cannot be resumed as asked (missing, foreign, or already finished). */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
  readonly exitCode = 2;
}

/**
 * A file in a run folder that is not what the writer leaves there: truncated, garbled, failing its checksum or
 * its schema, or naming a path outside the folder. Resume may fall back past it (an older checkpoint); every
 * other reader reports it, naming the file.
 */
export class DamagedFileError extends Error {
  override readonly name = 'DamagedFileError';
  readonly exitCode = 2;

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}; the run folder is damaged`);
  }
}
