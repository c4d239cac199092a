import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { registerWasmTrainingKernels } from '../../../src/deep/backend/registerWasmTrainingKernels.js';
import { compareTrajectories, stepTrajectory, type Trajectory } from '../../../src/deep/train/stepTrajectory.js';
import { compilerPresent } from '../../helpers/compiler.js';

/** The shared trajectory with the pure-wasm or the native kernels. */
async function trajectory(native: boolean, steps: number): Promise<Trajectory> {
  registerWasmTrainingKernels({ native }, {});
  return stepTrajectory(steps);
}

describe.runIf(compilerPresent)('native kernels keep the training trajectory', () => {
  it('four SGD steps of a BatchNorm ResNet: same losses and weights as the pure-wasm kernels, to float32 tolerance', async () => {
    await initBackend('wasm', { env: {}, wasmKernels: {} });
    const ref = await trajectory(false, 4);
    const got = await trajectory(true, 4);
    expect(compareTrajectories(got, ref)).toMatchObject({ withinTolerance: true, trains: true });
  });
});
