import { UserError } from '../util/userError.js';

/**
 * A run directory that cannot be used as one: missing, damaged (unreadable JSON, a broken metrics line, a corrupt
 * checkpoint) or foreign (another run's checkpoint, a folder that holds no run, a run that is already there). The
 * message names the path and what to do; the CLI prints it as one line and exits with 2.
 */
export class RunDirError extends UserError {}
