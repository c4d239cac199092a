/** Worker thread: runs one UFM experiment per message (used by `mlnc ufm sweep`). */
import { parentPort } from 'node:worker_threads';
import { runUfmExperiment, type UfmExperimentConfig } from '../ufm/experiment.js';

parentPort?.on('message', ({ id, task }: { id: number; task: UfmExperimentConfig }) => {
  try {
    parentPort?.postMessage({ id, result: runUfmExperiment(task) });
  } catch (err) {
    parentPort?.postMessage({ id, error: (err as Error).message });
  }
});
