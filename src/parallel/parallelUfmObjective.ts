/**
 * The UFM objective + gradient of src/ufm/objective.ts with the samples split between threads, for one evaluation at
 * large N (the paper's N = 40,000, d = 512) on several cores. `evaluate` stays SYNCHRONOUS, as the optimisers call it:
 * the main thread wakes the workers through a shared Int32Array (Atomics.notify), evaluates its own sample range, then
 * blocks in Atomics.wait until each worker has flagged its range done.
 *
 * Thread t owns samples [bound_t, bound_{t+1}) (bounds even, so samples pair up exactly as in one whole pass). Its ∇h_i
 * rows are disjoint from the others', so it writes them straight into grad. Its Σ g_i h_iᵀ, Σ g_i, loss and ‖H‖² go to
 * a slot of its own; the main thread (thread 0, accumulating straight into grad on top of λ_W W, λ_b b) then adds the
 * slots in thread order. Results are deterministic for a fixed thread count; with 1 thread they are bit-identical to
 * ufmObjective, with more they differ only in the order of the sums over samples (rounding).
 *
 * x and grad must be visible to the workers, i.e. live in a SharedArrayBuffer: `allocate()` gives such an array, and
 * any SharedArrayBuffer-backed Float64Array works (its buffer is handed to the workers once, on first use). A caller's
 * ordinary Float64Array is copied into (x) and out of (grad) internal shared buffers on every call instead — correct,
 * but at N = 40,000 that is two 164 MB copies per evaluation (bench/ufm.ts: about 10% of a 2-thread evaluation).
 * The workers keep every shared buffer they have been handed until dispose(): reuse a few buffers (as L-BFGS does,
 * swapping two x and two gradients), don't allocate one per call.
 *
 * A worker that dies outright (killed, out of memory) rather than throwing is not detected: evaluate would wait forever.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ufmKernel, type ObjectiveFunction, type UfmKernel, type UfmProblem } from '../ufm/objective.js';
import { workerEntryUrl } from './workerEntry.js';

/** Layout of the shared control block (Int32 slots). */
export const CTRL = {
  /** Bumped by the main thread to start an evaluation; STOP tells the workers to return. */
  generation: 0,
  xBuffer: 1,
  xOffset: 2,
  gradBuffer: 3,
  gradOffset: 4,
  /** Set by a worker whose evaluation threw (its message is posted on the port). */
  error: 5,
  /** done[t] for worker t ≥ 1 lives at doneBase + t: the generation it finished last. */
  doneBase: 8,
} as const;
export const STOP = -1;

/** What a worker gets at start-up (workerData). */
export interface UfmWorkerData {
  problem: UfmProblem;
  thread: number;
  /** Sample-range bounds, length threads + 1. */
  bounds: number[];
  ctrl: SharedArrayBuffer;
  /** threads slots of K·d + K + 2 float64s: [∇W partial, ∇b partial, loss, ‖H‖²]. */
  partials: SharedArrayBuffer;
  /** Buffer registrations { id, buffer } arrive here, read synchronously by the worker; it reports errors back on it. */
  port: MessagePort;
}

export interface ParallelUfmObjective {
  readonly N: number;
  readonly size: number;
  readonly threads: number;
  /** Same contract as UfmObjective.evaluate (writes grad, returns f); synchronous. Call init() first. */
  readonly evaluate: ObjectiveFunction;
  /** A zeroed Float64Array of length `size` on a SharedArrayBuffer: x or grad without per-call copies. */
  allocate(): Float64Array;
  /** Starts the workers and waits until they are ready (idempotent). */
  init(): Promise<void>;
  /** Terminates the workers; evaluate throws afterwards. */
  dispose(): Promise<void>;
}

/** Even split points of [0, N) into `threads` ranges. */
export function sampleBounds(N: number, threads: number): number[] {
  const bounds = [0];
  for (let t = 1; t < threads; t++) bounds.push(Math.min(N, 2 * Math.round((t * N) / (2 * threads))));
  bounds.push(N);
  return bounds;
}

export function createParallelUfmObjective(problem: UfmProblem, options: { threads: number }): ParallelUfmObjective {
  const threads = options.threads;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`parallel UFM: threads must be an integer ≥ 1, got ${threads}`);
  const kernel: UfmKernel = ufmKernel(problem); // validates the problem
  const { N, size, offsetW, offsetB } = kernel;
  const { K, d, lambdaW, lambdaH, lambdaB } = problem;
  const bounds = sampleBounds(N, threads);
  const slot = K * d + K + 2;
  const ctrlBuffer = new SharedArrayBuffer(4 * (CTRL.doneBase + threads));
  const ctrl = new Int32Array(ctrlBuffer);
  const partialsBuffer = new SharedArrayBuffer(8 * slot * threads);
  const partials = new Float64Array(partialsBuffer);
  const sums = new Float64Array(2);
  // One registration channel per worker; the main thread keeps the port1 ends.
  const channels = Array.from({ length: threads - 1 }, () => new MessageChannel());
  const bufferIds = new WeakMap<SharedArrayBuffer, number>();
  let nextBufferId = 0;
  let workers: Worker[] = [];
  let ready: Promise<void> | null = null;
  let started = false;
  let disposed = false;
  let copyX: Float64Array | null = null;
  let copyGrad: Float64Array | null = null;

  const allocate = (): Float64Array => new Float64Array(new SharedArrayBuffer(8 * size));

  /** Id of a shared buffer known to the workers, handed to them on first use (shared, not copied). */
  const register = (buffer: SharedArrayBuffer): number => {
    let id = bufferIds.get(buffer);
    if (id === undefined) {
      id = nextBufferId++;
      bufferIds.set(buffer, id);
      for (const ch of channels) ch.port1.postMessage({ id, buffer });
    }
    return id;
  };

  const init = (): Promise<void> => {
    if (disposed) return Promise.reject(new Error('parallel UFM: init() after dispose()'));
    ready ??= (async () => {
      const url = workerEntryUrl('parallel/ufmObjectiveWorker');
      const starting: Promise<void>[] = [];
      for (let t = 1; t < threads; t++) {
        const port = channels[t - 1].port2;
        const data: UfmWorkerData = { problem, thread: t, bounds, ctrl: ctrlBuffer, partials: partialsBuffer, port };
        const w = new Worker(url, { workerData: data, transferList: [port] });
        workers.push(w);
        starting.push(
          new Promise<void>((resolve, reject) => {
            w.once('message', (m: unknown) => (m === 'ready' ? resolve() : reject(new Error(`parallel UFM: worker ${t} said ${String(m)}`))));
            w.once('error', reject);
            w.once('exit', (code) => reject(new Error(`parallel UFM: worker ${t} exited with code ${code} during start-up`)));
          }),
        );
      }
      await Promise.all(starting);
      // Blocked in Atomics.wait between evaluations, the workers must not keep the process alive if dispose() is
      // never called.
      for (const w of workers) w.unref();
      started = true;
    })();
    return ready;
  };
  const evaluate: ObjectiveFunction = (xIn, gradIn) => {
    if (disposed) throw new Error('parallel UFM: evaluate() after dispose()');
    if (xIn.length !== size || gradIn.length !== size) {
      throw new Error(`UFM: x and grad must have length ${size}, got ${xIn.length} and ${gradIn.length}`);
    }
    if (threads === 1) {
      // No workers: exactly ufmObjective's pass.
      kernel.startWB(xIn, gradIn, sums);
      const wsq = sums[0], bsq = sums[1];
      kernel.evaluateRange(xIn, gradIn, 0, N, gradIn, offsetW, offsetB, sums);
      return sums[0] + 0.5 * (lambdaW * wsq + lambdaH * sums[1] + lambdaB * bsq);
    }
    if (!started) throw new Error('parallel UFM: call (and await) init() before evaluate()');
    let x = xIn;
    if (!(x.buffer instanceof SharedArrayBuffer)) {
      copyX ??= allocate();
      copyX.set(xIn);
      x = copyX;
    }
    let grad = gradIn;
    if (!(grad.buffer instanceof SharedArrayBuffer)) {
      copyGrad ??= allocate();
      grad = copyGrad;
    }
    ctrl[CTRL.xBuffer] = register(x.buffer as SharedArrayBuffer);
    ctrl[CTRL.xOffset] = x.byteOffset / 8;
    ctrl[CTRL.gradBuffer] = register(grad.buffer as SharedArrayBuffer);
    ctrl[CTRL.gradOffset] = grad.byteOffset / 8;
    ctrl[CTRL.error] = 0;
    // Wraps below STOP's value never: generations count up from 1 and stay positive.
    const gen = (Atomics.load(ctrl, CTRL.generation) % 0x3fffffff) + 1;
    Atomics.store(ctrl, CTRL.generation, gen);
    Atomics.notify(ctrl, CTRL.generation);

    // Thread 0: its range straight into grad, on top of λ_W W and λ_b b.
    kernel.startWB(x, grad, sums);
    const wsq = sums[0], bsq = sums[1];
    kernel.evaluateRange(x, grad, bounds[0], bounds[1], grad, offsetW, offsetB, sums);
    let loss = sums[0], hsq = sums[1];

    for (let t = 1; t < threads; t++) {
      const at = CTRL.doneBase + t;
      for (;;) {
        const done = Atomics.load(ctrl, at);
        if (done === gen) break;
        Atomics.wait(ctrl, at, done, 1000);
      }
    }
    if (Atomics.load(ctrl, CTRL.error) !== 0) {
      // The failing worker posted its message on its registration port; read it synchronously.
      const messages = channels.map((ch) => receiveMessageOnPort(ch.port1)?.message as { error?: string } | undefined);
      const reason = messages.find((m) => m?.error !== undefined)?.error ?? 'unknown error';
      throw new Error(`parallel UFM: a worker failed: ${reason}`);
    }
    // Fixed order: thread 1, 2, ... added to thread 0's sums.
    const kd = K * d;
    for (let t = 1; t < threads; t++) {
      const base = t * slot;
      for (let j = 0; j < kd; j++) grad[offsetW + j] += partials[base + j];
      for (let k = 0; k < K; k++) grad[offsetB + k] += partials[base + kd + k];
      loss += partials[base + kd + K];
      hsq += partials[base + kd + K + 1];
    }
    if (grad !== gradIn) gradIn.set(grad);
    return loss + 0.5 * (lambdaW * wsq + lambdaH * hsq + lambdaB * bsq);
  };

  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    if (ready) await ready.catch(() => undefined);
    Atomics.store(ctrl, CTRL.generation, STOP);
    Atomics.notify(ctrl, CTRL.generation);
    await Promise.all(workers.map((w) => w.terminate()));
    workers = [];
    for (const ch of channels) ch.port1.close();
  };

  return { N, size, threads, evaluate, allocate, init, dispose };
}
