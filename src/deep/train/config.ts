import type { DataOptions, RunConfig, TrainConfig } from '../../run/index.js';
import type { AdapterInfo } from '../backend/webgpu.js';
import type { BuiltModel } from '../models/index.js';
import { FEATURE_PENALTY_CONVENTION } from '../palLoss.js';
import type { TrainingImages } from './types.js';

/** The default run: a CPU-sized MLab-MNIST collapse demo (see the train command's help for what it shows). */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  dataset: 'mlab-mnist',
  preset: 'small',
  arch: 'resnet-small',
  width: 8,
  depth: 1,
  epochs: 30,
  batchSize: 32,
  lr: 0.1,
  momentum: 0.9,
  loss: 'pal',
  lambdaH: 1e-4,
  weightDecay: 5e-4,
  ncEvery: 5,
  seed: 0,
  fixedEtf: false,
  fixDim: false,
  evalBatchSize: 128,
};

export const CONVENTIONS = {
  featurePenalty: FEATURE_PENALTY_CONVENTION,
  weightDecay: 'SGD weight decay lambdaW*w added to the gradient of every trainable parameter (biases and BatchNorm included), PyTorch style',
  schedule: 'cosine over epochs, stepped per epoch, from lr to lr/1000 (CosineAnnealingLR, T_max = epochs); a resume with another --epochs recomputes it over the new total from the next epoch on (listed under epochsChanges)',
  optimizer: 'SGD with momentum, PyTorch update v = mu*v + (g + wd*w), w -= lr*v',
  trainLoss: 'mean over the epoch of the per-batch mean c_m*PAL in training mode (feature penalty reported separately); epoch 0: inference mode at initialisation',
  fixedEtf: 'classifier kernel frozen to sqrt(K/(K-1))(I - 11^T/K), embedded as [E | 0] when d > K; bias trainable',
  fixDim: 'last block outputs K channels (feature dimension d = K)',
  pixels: 'uint8 / 255, no normalisation, no augmentation',
} as const;

/** The fields a checkpoint must agree on to be resumed by this run. */
export function fingerprintOf(c: TrainConfig, K: number, inputShape: readonly number[]): Record<string, unknown> {
  const { dataset, preset, arch, width, depth, epochs, batchSize, lr, momentum, loss, lambdaH, weightDecay, seed, fixedEtf, fixDim } = c;
  const fp: Record<string, unknown> = { dataset, preset, arch, width, depth, epochs, batchSize, lr, momentum, loss, lambdaH, weightDecay, seed, fixedEtf, fixDim, K, inputShape: [...inputShape] };
  // Only data-parallel runs carry a shard count, so single-process checkpoints written before it existed still match.
  if ((c.shards ?? 1) > 1) fp.shards = c.shards;
  return fp;
}

export interface RunRecordInput {
  config: TrainConfig;
  K: number;
  inputShape: readonly number[];
  built: BuiltModel;
  train: TrainingImages;
  test?: TrainingImages;
  backend: string;
  kernels?: string;
  adapter?: AdapterInfo;
  datasetRecipe?: Record<string, unknown>;
  dataOptions?: DataOptions;
  dataParallel: RunConfig['dataParallel'];
  fingerprint: Record<string, unknown>;
}

/** config.json of a new run: the config, what the run found (model and data sizes) and the conventions it follows. */
export function runConfigRecord(r: RunRecordInput): RunConfig {
  return {
    train: r.config,
    K: r.K,
    inputShape: [...r.inputShape],
    backend: r.backend,
    ...(r.kernels === undefined ? {} : { kernels: r.kernels }),
    ...(r.adapter === undefined ? {} : { adapter: r.adapter }),
    loss: r.config.loss,
    lambdaHConvention: CONVENTIONS.featurePenalty,
    conventions: CONVENTIONS,
    featureDim: r.built.featureDim,
    trainableParams: r.built.trainableParams,
    totalParams: r.built.totalParams,
    trainSamples: r.train.labels.length,
    testSamples: r.test?.labels.length ?? 0,
    dataset: r.datasetRecipe ?? { name: r.train.name ?? r.config.dataset },
    dataOptions: r.dataOptions ?? {},
    dataParallel: r.dataParallel,
    fingerprint: r.fingerprint,
    createdAt: new Date().toISOString(),
  };
}
