/** The run directory: its layout, its schemas, its one reader and writer, and its error (see runDir.ts). */
export { openRunDir, RunDir, type RunJsonFile } from './runDir.js';
export { RUN_FILES, COMPARE_FIGURE, type RunFile } from './files.js';
export {
  TrainConfigSchema, RunConfigSchema, RunConfigReadSchema, DataOptionsSchema, EpochsChangeSchema,
  type TrainConfig, type RunConfig, type StoredRunConfig, type DataOptions, type EpochsChange,
} from './config.js';
export { parseMetricsJsonl, type MetricsLine, type TestLine } from './metrics.js';
export {
  CHECKPOINT_FILES, CHECKPOINT_FORMAT, LAST_CHECKPOINT, checkpointOldDir, checkpointTempDir, epochDirName, listCheckpoints,
  readCheckpointState, type CheckpointEntry, type CheckpointState,
} from './checkpoints.js';
export { RunDirError } from './errors.js';
