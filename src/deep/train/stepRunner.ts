/**
 * How the SGD steps of a run are executed. The driver (run.ts) asks a StepRunners for a runner once the model and the
 * optimizer are ready, feeds it batches, and calls sync() before it measures or checkpoints an epoch. The
 * single-process runner below steps the main thread's model; the data-parallel one (src/deep/parallel/steps.ts) runs
 * replicas in worker threads. Training depends on this interface only, never on the parallel code.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig, TrainConfig } from '../../run/index.js';
import { makeBatch } from './batches.js';
import { TrainingError } from './errors.js';
import type { MomentumSgd } from './sgd.js';
import { trainStep, type StepResult } from './step.js';
import type { TrainingImages } from './types.js';

export interface StepRunner {
  /** One SGD step on the batch `indices` (training-set sample indices); `next` lets a runner prepare the next batch. */
  step(indices: Int32Array, lr: number, next?: Int32Array): Promise<StepResult>;
  /** Brings the main thread's model (weights, BatchNorm statistics) and optimizer up to date. */
  sync(): Promise<void>;
  dispose(): Promise<void>;
}

export interface StepContext {
  model: tf.LayersModel;
  sgd: MomentumSgd;
  config: TrainConfig;
  train: TrainingImages;
  /** tf.getBackend() of the main thread. */
  backend: string;
  log(message: string): void;
}

/** How config.json records the execution of the steps (`dataParallel`). */
export type StepPlan = RunConfig['dataParallel'];

export interface StepRunners {
  /** What this run's steps will be, for config.json; throws when these runners cannot run the config. */
  plan(config: TrainConfig, backend: string): StepPlan;
  start(context: StepContext): Promise<StepRunner>;
}

/** Steps on the main thread, whole-batch BatchNorm statistics: the runner of every run without data-parallel shards. */
export const singleProcessSteps: StepRunners = {
  plan(config) {
    if ((config.shards ?? 1) > 1) {
      throw new TrainingError(`this run is cut into ${config.shards} data-parallel shards per batch and needs the worker step runner (src/deep/parallel)`);
    }
    return { shards: 1, workers: 1, batchNorm: 'whole-batch statistics (single process)' };
  },
  async start({ model, sgd, config, train }) {
    return {
      async step(indices, lr) {
        const { x, y } = makeBatch(train, indices);
        try {
          // Awaited here, so that the batch outlives the (asynchronous) step.
          return await trainStep(model, sgd, x, y, { loss: config.loss, lambdaH: config.lambdaH, lr });
        } finally {
          tf.dispose([x, y]);
        }
      },
      async sync() {},
      async dispose() {},
    };
  },
};
