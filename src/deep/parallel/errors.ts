import { StepRunnerCrashError } from '../train/errors.js';

/** A worker thread of a parallel trainer failed (uncaught error, failed step, or exit); the trainer is unusable after. */
export class WorkerCrashError extends StepRunnerCrashError {
  override readonly name = 'WorkerCrashError';
  constructor(
    /** Index of the first worker that failed. */
    readonly worker: number,
    /** What it reported (its error message, or its exit code). */
    readonly detail: string,
  ) {
    super(`training worker ${worker} crashed: ${detail}`);
  }
}
