import type { RunDir, TrainConfig } from '../../run/index.js';

/** NC metrics (and the test set) are measured every `ncEvery` epochs and at the last epoch; epoch 0 is one too. */
export function isNcEpoch(epoch: number, config: TrainConfig): boolean {
  return epoch % config.ncEvery === 0 || epoch === config.epochs;
}

/**
 * Which checkpoint an epoch leaves: an NC epoch keeps its own (checkpoints/epoch-NNNN, what validate and figures read)
 * and drops `last`; every other epoch replaces `last`, so a killed run loses at most the epoch in progress.
 */
export async function checkpointEpoch(dir: RunDir, epoch: number, config: TrainConfig, save: (path: string) => Promise<void>): Promise<void> {
  if (isNcEpoch(epoch, config)) {
    await save(dir.epochCheckpointDir(epoch));
    dir.removeLastCheckpoint();
  } else {
    await save(dir.lastCheckpointDir);
  }
}
