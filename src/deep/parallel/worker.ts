/**
 * Worker-thread entry of the parallel trainer: holds one Replica (its own tfjs backend instance, model and optimiser)
 * and answers the coordinator's messages in order. A failed step is fatal (the coordinator turns it into a
 * WorkerCrashError); a failed query (e.g. weights of the wrong shape) is answered with an error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BarrierAbortedError } from './barrier.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';
import { Replica } from './replica.js';
import type { NamedArray } from './weights.js';

const port = parentPort;
if (!port) throw new Error('src/deep/parallel/worker.js must run in a worker thread');
const post = (m: FromWorker): void => port.postMessage(m);
const init = workerData as WorkerInit;

function fatal(err: unknown): void {
  post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

const ready: Promise<Replica | undefined> = Replica.create(init).then(
  ({ replica, backend }) => {
    post({ type: 'ready', backend, paramCount: replica.paramCount, statCount: replica.statCount, paramNames: replica.params.map((p) => p.name) });
    return replica;
  },
  (err) => {
    fatal(err);
    return undefined;
  },
);

async function handle(replica: Replica, msg: ToWorker): Promise<void> {
  if (msg.type === 'step') {
    if (replica.nextStepFails()) {
      if (init.faultInjection?.mode === 'exit') process.exit(3);
      // A genuinely uncaught exception, as a bug in a kernel would raise.
      setImmediate(() => {
        throw new Error(`injected fault at step ${init.faultInjection?.atStep}`);
      });
      return;
    }
    try {
      replica.step(msg.indices, msg.lr, msg.next, msg.apply);
    } catch (err) {
      if (err instanceof BarrierAbortedError) return post({ type: 'aborted', id: msg.id });
      return fatal(err);
    }
    return post({ type: 'done', id: msg.id });
  }
  if (msg.type === 'buffers') {
    replica.attach(msg.buffers);
    return post({ type: 'done', id: msg.id });
  }
  let result: NamedArray[] | undefined;
  try {
    switch (msg.type) {
      case 'getWeights':
        result = replica.getWeights();
        break;
      case 'setWeights':
        replica.setWeights(msg.weights);
        break;
      case 'getOptimizerState':
        result = await replica.getOptimizerState();
        break;
      case 'setOptimizerState':
        replica.setOptimizerState(msg.state);
        break;
      case 'getGradients':
        result = replica.reducedGradients();
        break;
    }
  } catch (err) {
    return post({ type: 'reply', id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
  post({ type: 'reply', id: msg.id, result });
}

// Messages are handled strictly one after another (a step must not interleave with a weights query).
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  queue = queue.then(async () => {
    const replica = await ready;
    if (replica) await handle(replica, msg);
  });
});
