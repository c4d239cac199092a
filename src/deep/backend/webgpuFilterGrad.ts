/**
 * Conv2DBackpropFilter for the tfjs webgpu backend as one matmul per filter tap, replacing the stock shader.
 *
 * The stock kernel (tfjs-backend-webgpu 4.22, Conv2DDerFilterProgram) runs one GPU thread per filter element, each
 * summing serially over every (n, y, x): ResNet18's 3×3×1×64 stem at batch 128 and 56×56 is 576 threads of 401,408
 * multiply-adds each. It took 60% of a ResNet18 training step on lavapipe (tf.profile), and on a GPU such a kernel
 * leaves nearly all of the device idle.
 *
 *   dW[r, s, ci, co] = Σ_n Σ_{y, x} xPad[n, y·sh + r, x·sw + s, ci] · dy[n, y, x, co]
 *
 * Here x (padded) is made channel-major once, [Ci, N, H', W'], and for each filter tap (r, s) its strided slice
 * xs = xt[:, :, r::sh, s::sw] is the [Ci, M] matrix (M = N·OH·OW) that multiplies dy as [M, Co]: one plain matmul per
 * tap. tfjs-backend-webgpu's matmul splits the long inner dimension M across workgroups itself (its split-K program)
 * when the Ci×Co output alone would leave the GPU idle. Only stock webgpu kernels are used (PadV2, Transpose,
 * StridedSlice, Reshape, BatchMatMul, Pack), so the result is the same sum in another order: equal to float32 rounding
 * (test/webgpu/gpuPath.test.ts checks it against cpu). On lavapipe, for a 3×3, 64→64 layer at 4×28×28: 1.4 s stock,
 * about 0.25 s this way.
 */
import * as tf from '@tensorflow/tfjs';
import { convGeometry } from './convGeometry.js';

type TensorInfo = tf.TensorInfo;

/** One stock webgpu kernel, called directly (inside a kernel, tfjs ops are not available). */
function runner(backend: tf.KernelBackend) {
  const run = (name: string, inputs: tf.NamedTensorInfoMap | TensorInfo[], attrs: tf.NamedAttrMap = {}): TensorInfo => {
    const k = tf.getKernel(name, 'webgpu');
    if (k === undefined) throw new Error(`Kernel '${name}' not registered for backend 'webgpu'`);
    return k.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs }) as TensorInfo;
  };
  const release = (...ts: TensorInfo[]) => ts.forEach((t) => backend.disposeData(t.dataId));
  return { run, release };
}

function conv2dBackpropFilterWebgpu({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs ?? {};
  const g = convGeometry(x.shape, a.filterShape as number[], a.strides as [number, number], a.pad, a.dimRoundingMode, a.dataFormat);
  const { run, release } = runner(backend);
  // Pad so that every tap's strided slice lies inside; 'valid' may leave input rows unused (a negative pad: none).
  const padBottom = Math.max(0, g.fH + (g.outH - 1) * g.sH - g.inH - g.padTop);
  const padRight = Math.max(0, g.fW + (g.outW - 1) * g.sW - g.inW - g.padLeft);
  const padded = g.padTop + padBottom + g.padLeft + padRight > 0;
  const xp = padded
    ? run('PadV2', { x }, { paddings: [[0, 0], [g.padTop, padBottom], [g.padLeft, padRight], [0, 0]], constantValue: 0 })
    : x;
  // Channel-major once, [Ci, N, H', W']: each tap's slice is then directly the [Ci, M] left factor (M = N·OH·OW).
  const xt = run('Transpose', { x: xp }, { perm: [3, 0, 1, 2] });
  const m = g.batch * g.outH * g.outW;
  const dy3 = run('Reshape', { x: dy }, { shape: [1, m, g.outC] });
  const taps: TensorInfo[] = [];
  for (let r = 0; r < g.fH; r++) {
    for (let s = 0; s < g.fW; s++) {
      const xs = run('StridedSlice', { x: xt }, {
        begin: [0, 0, r, s], end: [g.inC, g.batch, r + (g.outH - 1) * g.sH + 1, s + (g.outW - 1) * g.sW + 1], strides: [1, 1, g.sH, g.sW],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      });
      const xs3 = run('Reshape', { x: xs }, { shape: [1, g.inC, m] });
      taps.push(run('BatchMatMul', { a: xs3, b: dy3 }, { transposeA: false, transposeB: false })); // [1, Ci, Co]
      release(xs, xs3);
    }
  }
  const stacked = run('Pack', taps, { axis: 0 }); // [R·S, 1, Ci, Co]
  const dW = run('Reshape', { x: stacked }, { shape: [g.fH, g.fW, g.inC, g.outC] });
  release(xt, dy3, stacked, ...taps);
  if (padded) release(xp);
  return dW;
}

/** Puts the per-tap matmul Conv2DBackpropFilter in place of the stock webgpu one (after tfjs-backend-webgpu loaded). */
export function registerWebgpuFilterGrad(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'webgpu') !== undefined) tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'webgpu', kernelFunc: conv2dBackpropFilterWebgpu as tf.KernelFunc });
}
