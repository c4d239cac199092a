import type { DataOptions, MetricsLine, TrainConfig } from '../../run/index.js';
import type { AdapterInfo } from '../backend/webgpu.js';
import type { StepRunners } from './stepRunner.js';
import type { TrainingImages } from './types.js';

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
}

export interface RunHooks {
  onEpochStart?(epoch: number, batches: number): void;
  onBatch?(p: BatchProgress): void;
  onEpochEnd?(line: MetricsLine): void;
  log?(message: string): void;
}

export interface RunOptions {
  config: TrainConfig;
  train: TrainingImages;
  test?: TrainingImages;
  runDir: string;
  /** Continue from the newest checkpoint in runDir instead of starting fresh. */
  resume?: boolean;
  /** Recorded in config.json. */
  backend: string;
  /** Which conv kernels the wasm backend ran (BackendInfo.kernels), recorded in config.json. */
  kernels?: string;
  /** On webgpu: the adapter the run trained on (BackendInfo.adapter), recorded in config.json. */
  adapter?: AdapterInfo;
  datasetRecipe?: Record<string, unknown>;
  /** How the data was loaded (data dir, counts), so that `mlnc validate` can load the same data. */
  dataOptions?: DataOptions;
  hooks?: RunHooks;
  /** Stop (as if killed) after this many epochs of this invocation; for tests of resume. */
  stopAfterEpochs?: number;
  /** How the steps run (default: in this thread). A run with data-parallel shards needs src/deep/parallel's. */
  steps?: StepRunners;
}

export interface RunResult {
  runDir: string;
  metricsPath: string;
  configPath: string;
  checkpointsDir: string;
  lastEpoch: number;
  lines: MetricsLine[];
  trainableParams: number;
  totalParams: number;
  seconds: number;
}
