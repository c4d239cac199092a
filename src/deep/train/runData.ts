import { loadDataset } from '../data/index.js';
import type { DataOptions, TrainConfig } from '../../run/index.js';

/** The train and test splits of a run: its config's dataset, preset and seed, loaded as its `dataOptions` say. */
export async function loadRunData(config: TrainConfig, d: DataOptions) {
  return loadDataset({
    dataset: config.dataset, preset: config.preset, dataDir: d.dataDir, cacheDir: d.cacheDir, seed: config.seed,
    ...(d.counts ? { counts: d.counts } : {}),
  });
}
