/**
 * The one base class of errors the user can fix: a bad flag, a missing dataset, a damaged run directory, a diverged
 * run. `main` catches it, prints `mlnc: <message>` on stderr and exits with `exitCode`, without a stack trace. Its
 * message is one line by construction (anything after the first line break is dropped), so whoever throws it writes
 * the sentence the user reads. Everything else that reaches `main` is a bug and keeps its stack.
 */
export class UserError extends Error {
  /** The process exit code the CLI uses (2: the user's to fix). */
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(firstLine(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 2;
  }
}

/** The first line of a message (errors from libraries often append details or a stack on further lines). */
export function firstLine(message: string): string {
  return message.split('\n')[0];
}
