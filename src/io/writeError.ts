/**
 * A file that cannot be written because of where it is (a directory in the way, a missing or read-only folder, a full
 * disk): the user's to fix, so exitCode 2 makes the CLI print it as one line instead of a stack trace.
 */
export class WriteError extends Error {
  override readonly name = 'WriteError';
  readonly exitCode = 2;
}
