import { UserError } from '../util/userError.js';

/**
 * A file that cannot be written because of where it is (a directory in the way, a missing or read-only folder, a full
 * disk): the user's to fix.
 */
export class WriteError extends UserError {}
