import { UserError } from '../../util/userError.js';

/** tfjs's words for an op the active backend has no kernel for (e.g. a GPU backend's gap). */
const MISSING_KERNEL = /^Kernel '([^']+)' not registered for backend '([^']+)'/;

/** Such an error as a one-line UserError that names the kernel and the backend to use instead; undefined otherwise. */
export function missingKernelError(err: unknown): UserError | undefined {
  const message = (err as { message?: unknown } | null)?.message;
  const m = typeof message === 'string' ? MISSING_KERNEL.exec(message) : null;
  return m ? new UserError(`the ${m[2]} backend has no ${m[1]} kernel, which this model needs; run it with --backend wasm (or cpu)`) : undefined;
}
