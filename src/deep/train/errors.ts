import { UserError } from '../../util/userError.js';

/** A run that cannot go on: it diverged, its step runner crashed, or the settings contradict the saved run. */
export class TrainingError extends UserError {}

/**
 * A step runner that failed underneath the run (a worker thread died or failed a step). The driver stops the run with
 * a TrainingError that names the last checkpoint, from which it can be resumed.
 */
export class StepRunnerCrashError extends Error {}
