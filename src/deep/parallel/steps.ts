/**
 * The data-parallel StepRunners: a run cut into S > 1 logical shards per batch steps its replicas in worker threads
 * (trainer.ts), and the main thread's model and optimizer are brought up to date after each epoch. A run without
 * shards runs its steps in this thread, as src/deep/train's singleProcessSteps.
 */
import { availableParallelism } from 'node:os';
import type { BackendPreference } from '../backend/initBackend.js';
import { singleProcessSteps, type StepRunners } from '../train/stepRunner.js';
import type { FaultInjection } from './protocol.js';
import { BATCHNORM_SEMANTICS, createParallelTrainer, topologySource } from './trainer.js';
import { loadNamedWeights, namedWeights } from './weights.js';

export interface DataParallelOptions {
  /** Worker threads (default: min(cores, shards)); more than the run's shard count is capped to it. */
  workers?: number;
  /** Backend inside the workers (default 'wasm', or 'cpu' when the run's own backend is cpu). */
  backend?: BackendPreference;
  /** Test hook: make a worker fail (see protocol.ts). */
  faultInjection?: FaultInjection;
}

export function dataParallelSteps(opts: DataParallelOptions = {}): StepRunners {
  const workersFor = (shards: number) => Math.max(1, Math.min(opts.workers ?? availableParallelism(), shards));
  const backendFor = (runBackend: string): BackendPreference => opts.backend ?? (runBackend === 'cpu' ? 'cpu' : 'wasm');
  return {
    plan(config, backend) {
      const shards = config.shards ?? 1;
      if (shards <= 1) return singleProcessSteps.plan(config, backend);
      return { shards, workers: workersFor(shards), workerBackend: backendFor(backend), batchNorm: BATCHNORM_SEMANTICS };
    },
    async start(context) {
      const { model, sgd, config, train } = context;
      const shards = config.shards ?? 1;
      if (shards <= 1) return singleProcessSteps.start(context);
      const workers = workersFor(shards);
      const trainer = await createParallelTrainer({
        workers, shards, model: topologySource(model), weights: namedWeights(model), optimizerState: await sgd.stateArrays(),
        dataset: train, loss: config.loss, lambdaH: config.lambdaH, sgd: { momentum: config.momentum, weightDecay: config.weightDecay },
        backend: backendFor(context.backend), maxBatch: config.batchSize, faultInjection: opts.faultInjection,
      });
      context.log(`data-parallel training: ${workers} worker thread(s) on ${trainer.backend}, ${shards} logical shards per batch (BatchNorm statistics per shard)`);
      return {
        step: (indices, lr, next) => trainer.step(indices, lr, next),
        async sync() {
          loadNamedWeights(model, await trainer.getWeights(), 'weights from the training workers');
          sgd.loadStateArrays(await trainer.getOptimizerState());
        },
        dispose: () => trainer.dispose(),
      };
    },
  };
}
