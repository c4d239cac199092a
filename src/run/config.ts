/**
 * The schema of RUN_DIR/config.json. `train` holds everything that determines the run (TrainConfig); the rest records
 * what the run found and how it ran (data, backend, model size, conventions), so that resume, validate, compare and
 * figures read the same facts.
 */
import { z } from 'zod';
import { DATASET_NAMES } from '../deep/data/types.js';
import { PRESETS } from '../deep/data/presets.js';
import { ARCHS } from '../deep/models/archs.js';
import { PAL_LOSSES } from '../ufm/pal.js';

const positiveInt = z.number().int().positive();

/** A WebGPU adapter as Dawn describes it (src/deep/backend/webgpu.ts AdapterInfo); fallback = a software adapter. */
export const AdapterSchema = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  fallback: z.boolean(),
});

/** Everything that determines a training run (saved as RUN_DIR/config.json under `train`). */
export const TrainConfigSchema = z.object({
  dataset: z.enum(DATASET_NAMES),
  preset: z.enum(PRESETS),
  arch: z.enum(ARCHS),
  width: positiveInt,
  depth: positiveInt,
  epochs: positiveInt,
  batchSize: positiveInt,
  lr: z.number().positive().finite(),
  momentum: z.number().min(0).lt(1),
  loss: z.enum(PAL_LOSSES),
  lambdaH: z.number().min(0).finite(),
  weightDecay: z.number().min(0).finite(),
  ncEvery: positiveInt,
  seed: z.number().int().min(0),
  fixedEtf: z.boolean(),
  fixDim: z.boolean(),
  evalBatchSize: positiveInt,
  /**
   * Logical shards per batch for data-parallel training (src/deep/parallel): BatchNorm uses per-shard batch statistics,
   * so the shard count is part of the run's semantics (the worker count is not). Absent or 1: single-process steps.
   */
  shards: positiveInt.optional(),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** How a run's data was loaded (`dataOptions`), so that resume, validate and compare load the same images. */
export const DataOptionsSchema = z.object({
  dataDir: z.string().optional(),
  cacheDir: z.string().optional(),
  counts: z.object({ train: z.array(z.number().int().min(0)), test: z.array(z.number().int().min(0)) }).optional(),
});
export type DataOptions = z.infer<typeof DataOptionsSchema>;

/** A resume that changed the total epoch count (see src/deep/train/epochsChange.ts). */
export const EpochsChangeSchema = z.object({
  /** Epochs completed when the total changed. */
  atEpoch: z.number().int().min(0),
  from: positiveInt,
  to: positiveInt,
});
export type EpochsChange = z.infer<typeof EpochsChangeSchema>;

/** The whole of config.json, as `mlnc train` writes it. */
export const RunConfigSchema = z.object({
  train: TrainConfigSchema,
  K: z.number().int().min(2),
  inputShape: z.array(positiveInt).length(3),
  /** The tfjs backend that trained the run (tf.getBackend()). */
  backend: z.string(),
  /** Which conv kernels the wasm backend ran. */
  kernels: z.string().optional(),
  /** On webgpu: the adapter (GPU) the run trained on. */
  adapter: AdapterSchema.optional(),
  loss: z.enum(PAL_LOSSES),
  lambdaHConvention: z.string(),
  conventions: z.record(z.string(), z.string()),
  featureDim: positiveInt,
  trainableParams: z.number().int().min(0),
  totalParams: z.number().int().min(0),
  trainSamples: z.number().int().min(0),
  testSamples: z.number().int().min(0),
  /** The dataset recipe (src/deep/data), or the dataset's name. */
  dataset: z.record(z.string(), z.unknown()),
  dataOptions: DataOptionsSchema,
  dataParallel: z.object({
    shards: positiveInt,
    workers: positiveInt,
    workerBackend: z.string().optional(),
    batchNorm: z.string(),
  }),
  /** The fields a checkpoint must agree on to be resumed by this run. */
  fingerprint: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  epochsChanges: z.array(EpochsChangeSchema.extend({ changedAt: z.string() })).optional(),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

/**
 * What a reader requires of config.json: a valid `train`. Every other field is checked when present, so that runs
 * written by hand (test fixtures) or before a field existed still read.
 */
export const RunConfigReadSchema = RunConfigSchema.partial().extend({ train: TrainConfigSchema });
export type StoredRunConfig = z.infer<typeof RunConfigReadSchema>;
