import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Runs independent tasks on a pool of worker threads, one per core by default, and returns the results in task order.
 * The worker module must answer each `{ id, task }` message with `{ id, result }` or `{ id, error }`.
 * When one worker is asked for (or there is one task), the tasks run inline through `inline` instead: same results,
 * no threads.
 */
export async function runTaskPool<T, R>(
  tasks: readonly T[],
  options: { workerUrl: URL; inline: (task: T) => R; workers?: number; onResult?: (index: number, result: R) => void },
): Promise<R[]> {
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  const results: R[] = new Array(tasks.length);
  if (workers === 1) {
    tasks.forEach((t, i) => {
      results[i] = options.inline(t);
      options.onResult?.(i, results[i]);
    });
    return results;
  }
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(options.workerUrl));
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= tasks.length) return resolve();
              const id = next++;
              w.postMessage({ id, task: tasks[id] });
            };
            w.on('message', (msg: { id: number; result?: R; error?: string }) => {
              if (msg.error !== undefined) return reject(new Error(msg.error));
              results[msg.id] = msg.result as R;
              options.onResult?.(msg.id, results[msg.id]);
              send();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (code !== 0) reject(new Error(`a worker thread exited with code ${code}`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
