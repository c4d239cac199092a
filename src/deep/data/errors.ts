/**
 * A dataset problem the user can fix (missing or malformed path, wrong folder format). The CLI prints its message as
 * one line and exits with status 2, so the message must name the problem and the path.
 */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}
