/**
 * Worker thread of the parallel UFM objective (parallelUfmObjective.ts): evaluates its sample range whenever the
 * main thread bumps the generation, then flags it done. Blocks in Atomics.wait between evaluations, so shared
 * buffers are announced on a MessagePort that it drains synchronously (receiveMessageOnPort) when woken.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { ufmKernel } from '../ufm/objective.js';
import { CTRL, STOP, type UfmWorkerData } from './parallelUfmObjective.js';

const { problem, thread, bounds, ctrl: ctrlBuffer, partials: partialsBuffer, port } = workerData as UfmWorkerData;
const kernel = ufmKernel(problem);
const { K, d } = problem;
const slotLength = K * d + K + 2;
const ctrl = new Int32Array(ctrlBuffer);
const slot = new Float64Array(partialsBuffer, 8 * thread * slotLength, slotLength);
const sums = new Float64Array(2);
const buffers = new Map<number, SharedArrayBuffer>();

/** The shared buffer with this id, draining registrations until it has arrived. */
function buffer(id: number): SharedArrayBuffer {
  for (;;) {
    const known = buffers.get(id);
    if (known) return known;
    const m = receiveMessageOnPort(port) as { message: { id: number; buffer: SharedArrayBuffer } } | undefined;
    if (m) buffers.set(m.message.id, m.message.buffer);
  }
}

parentPort?.postMessage('ready');
let last = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.generation, last);
  const gen = Atomics.load(ctrl, CTRL.generation);
  if (gen === STOP) break;
  if (gen === last) continue;
  last = gen;
  try {
    const x = new Float64Array(buffer(ctrl[CTRL.xBuffer]), 8 * ctrl[CTRL.xOffset], kernel.size);
    const grad = new Float64Array(buffer(ctrl[CTRL.gradBuffer]), 8 * ctrl[CTRL.gradOffset], kernel.size);
    slot.fill(0);
    kernel.evaluateRange(x, grad, bounds[thread], bounds[thread + 1], slot, 0, K * d, sums);
    slot[K * d + K] = sums[0];
    slot[K * d + K + 1] = sums[1];
  } catch (err) {
    // The main thread is blocked in Atomics.wait: it reads this message synchronously from the port.
    port.postMessage({ error: (err as Error).message });
    Atomics.store(ctrl, CTRL.error, 1);
  }
  Atomics.store(ctrl, CTRL.doneBase + thread, gen);
  Atomics.notify(ctrl, CTRL.doneBase + thread);
}
port.close();
