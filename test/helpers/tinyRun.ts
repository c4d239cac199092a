import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { loadDataset } from '../../src/deep/data/index.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/deep/train/config.js';
import { runTraining } from '../../src/deep/train/run.js';

/**
 * Trains a tiny real run into `root`/run on the cpu backend (MLab-MNIST, 3 + 1 images per label set, width 2, one
 * epoch with NC metrics and a checkpoint) and returns its directory; the dataset cache goes to `root`/cache.
 */
export async function trainTinyRun(root: string): Promise<string> {
  await tf.setBackend('cpu');
  const runDir = join(root, 'run');
  const cacheDir = join(root, 'cache');
  const counts = { train: [3, 1], test: [1, 1] };
  const splits = await loadDataset({ dataset: 'mlab-mnist', preset: 'small', seed: 0, counts, cacheDir });
  await runTraining({
    config: { ...DEFAULT_TRAIN_CONFIG, width: 2, epochs: 1, ncEvery: 1, batchSize: 25, evalBatchSize: 75 },
    train: splits.train, test: splits.test, runDir, backend: 'cpu', dataOptions: { counts, cacheDir },
  });
  return runDir;
}
