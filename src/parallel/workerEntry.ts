import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../io/packageRoot.js';

/** Every worker-thread entry point of mlnc, by its module path under src/ (without extension). */
export const WORKER_ENTRIES = ['deep/parallel/worker', 'parallel/ufmWorker', 'parallel/ufmObjectiveWorker'] as const;
export type WorkerEntry = (typeof WORKER_ENTRIES)[number];

/**
 * The compiled module of a worker entry: PACKAGE_ROOT/dist/src/<entry>.js. A worker thread runs plain JavaScript, so it
 * always starts from the build, whoever asks (the CLI from dist/, a test from the sources: `npm test` builds first).
 */
export function workerEntryUrl(entry: WorkerEntry): URL {
  const root = packageRoot();
  if (root === undefined) throw new Error(`cannot locate mlnc's package.json to start the worker ${entry}`);
  return pathToFileURL(join(root, 'dist', 'src', `${entry}.js`));
}
