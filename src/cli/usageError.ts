/**
 * An error the user caused (bad flag, bad path, bad config). The CLI prints its message as one line on stderr and
 * exits with code 2, without a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The error classes whose failures the user can fix (a dataset path, a backend choice, a checkpoint, a run directory,
 * figure input, a diverging run). Matched by name so the CLI's error path imports no tfjs-heavy module.
 */
const USER_ERROR_NAMES = new Set([
  'DatasetError', 'BackendError', 'CheckpointError', 'TrainingError', 'RunInputError', 'FigureDataError',
]);

/** tfjs's words for an op the active backend has no kernel for (e.g. a GPU backend's gap): the user can switch backends. */
const MISSING_KERNEL = /^Kernel '([^']+)' not registered for backend '([^']+)'/;

/** Such an error as a one-line UsageError (exit 2); anything else unchanged. */
export function asUsageError(err: unknown): unknown {
  const e = err as { name?: unknown; message?: unknown } | null;
  if (e && typeof e.name === 'string' && USER_ERROR_NAMES.has(e.name) && typeof e.message === 'string' && e.message) {
    return new UsageError(e.message.split('\n')[0]);
  }
  const missing = e && typeof e.message === 'string' ? MISSING_KERNEL.exec(e.message) : null;
  if (missing) {
    return new UsageError(`the ${missing[2]} backend has no ${missing[1]} kernel, which this model needs; run it with --backend wasm (or cpu)`);
  }
  return err;
}
