import { UserError } from '../util/userError.js';

/** A bad command line: an unknown choice, a malformed number, a contradiction between flags. Exit code 2. */
export class UsageError extends UserError {}
