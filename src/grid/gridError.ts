import { UserError } from '../util/userError.js';

/** A bad plan, a grid directory that does not fit the plan, a Slurm command that failed: one line, exit code 2. */
export class GridError extends UserError {}
