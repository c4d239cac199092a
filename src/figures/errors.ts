/** A run directory or figure input the user has to fix; the CLI prints its one-line message and exits with 2. */
export class RunInputError extends Error {
  override readonly name = 'RunInputError';
}
