import type { TrainConfig } from '../../run/index.js';
import { FEATURE_PENALTY_CONVENTION } from '../palLoss.js';

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
