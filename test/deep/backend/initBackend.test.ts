import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend, BackendError, wasmBinaryDir } from '../../../src/deep/backend/initBackend.js';

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const hasNode = installed('@tensorflow/tfjs-node');
const hasNodeGpu = installed('@tensorflow/tfjs-node-gpu');

describe('initBackend', () => {
  it('resolves the wasm binaries next to the installed package', () => {
    expect(existsSync(`${wasmBinaryDir()}tfjs-backend-wasm-simd.wasm`)).toBe(true);
  });

  it("selects 'cpu' on request and reports tf.getBackend()", async () => {
    const info = await initBackend('cpu', { env: {} });
    expect(info.name).toBe('cpu');
    expect(info.kind).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.tf).toBe(tf);
  });

  it('is idempotent, and re-selects its backend if it was switched away', async () => {
    const a = await initBackend('wasm', { env: {} });
    const b = await initBackend('wasm', { env: {} });
    expect(b).toBe(a);
    expect(a.name).toBe('wasm');
    tf.setBackend('cpu');
    const c = await initBackend('wasm', { env: {} });
    expect(c.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('reads MLNC_BACKEND, and the argument wins over it', async () => {
    expect((await initBackend(undefined, { env: { MLNC_BACKEND: 'cpu' } })).name).toBe('cpu');
    expect((await initBackend('wasm', { env: { MLNC_BACKEND: 'cpu' } })).name).toBe('wasm');
  });

  it('rejects an unknown preference with a BackendError naming it', async () => {
    await expect(initBackend(undefined, { env: { MLNC_BACKEND: 'tpu' } })).rejects.toThrow(BackendError);
    await expect(initBackend(undefined, { env: { MLNC_BACKEND: 'tpu' } })).rejects.toThrow(/MLNC_BACKEND 'tpu'/);
    await expect(initBackend('gpu' as never, { env: {} })).rejects.toThrow(/'gpu' is not a backend/);
  });

  it("an explicit 'node' / 'node-gpu' that is not installed is a clear error, not a silent fallback", async () => {
    for (const [pref, has] of [
      ['node', hasNode],
      ['node-gpu', hasNodeGpu],
    ] as const) {
      if (has) {
        expect((await initBackend(pref, { env: {} })).name).toBe('tensorflow');
      } else {
        await expect(initBackend(pref, { env: {} })).rejects.toThrow(BackendError);
        await expect(initBackend(pref, { env: {} })).rejects.toThrow(new RegExp(`for '${pref}'`));
      }
    }
  });

  it("'auto' falls back silently past the missing native packages", async () => {
    const info = await initBackend('auto', { env: {} });
    const expected = hasNodeGpu || hasNode ? 'tensorflow' : 'wasm';
    expect(info.name).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
  });

  it('on wasm, a conv can be trained (Conv2DBackpropFilter is available)', async () => {
    await initBackend('wasm', { env: {} });
    const x = tf.ones([1, 4, 4, 2]);
    const w = tf.ones([3, 3, 2, 1]);
    const dw = tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, ww as tf.Tensor4D, 1, 'valid')))(w);
    // Each tap of a valid 3×3 conv over a 4×4 input of ones sees 2×2 output positions.
    expect(Array.from(dw.dataSync())).toEqual(new Array(18).fill(4));
    tf.dispose([x, w, dw]);
  });
});
