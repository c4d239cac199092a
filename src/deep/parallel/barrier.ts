/**
 * A reusable barrier for the worker threads of one parallel trainer, on a shared Int32Array (Atomics.wait/notify).
 * Generation counting: the last thread to arrive resets the count and bumps the generation, which releases the others.
 * The coordinator (main thread, never a party) can abort it when a worker dies, so the survivors stop waiting for a
 * thread that will never arrive.
 */

/** Slots of the control array. */
export const CONTROL_COUNT = 0;
export const CONTROL_GENERATION = 1;
export const CONTROL_ABORT = 2;
export const CONTROL_SLOTS = 4;

export class BarrierAbortedError extends Error {
  override readonly name = 'BarrierAbortedError';
  constructor() {
    super('the barrier was aborted (another worker failed)');
  }
}

export function createControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
}

/** Blocks until `parties` threads have called it; throws BarrierAbortedError once aborted. */
export function arriveAndWait(control: Int32Array, parties: number): void {
  if (Atomics.load(control, CONTROL_ABORT) !== 0) throw new BarrierAbortedError();
  const generation = Atomics.load(control, CONTROL_GENERATION);
  if (Atomics.add(control, CONTROL_COUNT, 1) === parties - 1) {
    Atomics.store(control, CONTROL_COUNT, 0);
    Atomics.add(control, CONTROL_GENERATION, 1);
    Atomics.notify(control, CONTROL_GENERATION);
    return;
  }
  while (Atomics.load(control, CONTROL_GENERATION) === generation) {
    if (Atomics.load(control, CONTROL_ABORT) !== 0) throw new BarrierAbortedError();
    // The timeout only bounds how long an abort can go unnoticed should its notify be missed.
    Atomics.wait(control, CONTROL_GENERATION, generation, 200);
  }
}

/** Releases every waiting thread with BarrierAbortedError, now and at every later arrival. */
export function abortBarrier(control: Int32Array): void {
  Atomics.store(control, CONTROL_ABORT, 1);
  Atomics.notify(control, CONTROL_GENERATION);
}
