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
