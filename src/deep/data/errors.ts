import { UserError } from '../../util/userError.js';

/**
 * A dataset problem the user can fix (missing or malformed path, wrong folder format). The message must name the problem and
 * the path.
 */
export class DatasetError extends UserError {}
