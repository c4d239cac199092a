/**
 * Training-mode BatchNorm as two native kernels on the wasm backend: 'MlncBatchNormTrain' (batch statistics and the
 * normalised output in one call, outputs [y, mean, variance]) and its gradient 'MlncBatchNormTrainGrad'
 * (native/channelOps.h).
 *
 * tfjs-layers' BatchNormalization trains through tf.moments and tf.batchNorm: about 80 kernels per layer per step
 * once the gradient is counted (the reference step has 11 BN layers and 1,315 kernels, 424 without them), each a pass
 * over the activation, each with tfjs's per-op overhead. The layer in models/batchNorm.ts calls this op instead
 * when it is registered for the active backend, and tfjs-layers' own code otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from './nativeKernels.js';
import { heapF32 as heap } from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';

type TensorInfo = tf.TensorInfo;

export const BATCH_NORM_TRAIN = 'MlncBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'MlncBatchNormTrainGrad';

function trainKernel(native: NativeKernels): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
    const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const b = backend as unknown as WasmBackendLike;
    const c = scale.shape[0];
    const y = b.makeOutput(x.shape, 'float32');
    const mean = b.makeOutput([c], 'float32');
    const variance = b.makeOutput([c], 'float32');
    // Views after every makeOutput: allocating may grow (and so detach) the wasm memory.
    native.batchNormTrain(heap(b, x), heap(b, scale), heap(b, offset), eps, heap(b, y), heap(b, mean), heap(b, variance));
    return [y, mean, variance];
  };
}

function gradKernel(native: NativeKernels): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, x, scale, mean, variance } = inputs as Record<string, TensorInfo>;
    const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const b = backend as unknown as WasmBackendLike;
    const c = scale.shape[0];
    const dx = b.makeOutput(x.shape, 'float32');
    const dScale = b.makeOutput([c], 'float32');
    const dOffset = b.makeOutput([c], 'float32');
    native.batchNormTrainGrad(heap(b, x), heap(b, dy), heap(b, scale), heap(b, mean), heap(b, variance), eps, heap(b, dx), heap(b, dScale), heap(b, dOffset));
    return [dx, dScale, dOffset];
  };
}

const gradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    // Only y reaches a loss; mean and variance feed the moving averages, outside the gradient's path.
    const dy = (dys as tf.Tensor[])[0];
    const [x, scale, mean, variance] = saved as tf.Tensor[];
    // Computed once here, not in the closures: tfjs runs each closure in its own tidy (see batchNormGrad.ts).
    const [dx, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x, scale, mean, variance }, attrs as tf.NamedAttrMap) as tf.Tensor[];
    return { x: () => dx, scale: () => dScale, offset: () => dOffset };
  },
};

/** Registers (or, with `native` undefined, removes) the two kernels on wasm and the gradient. */
export function setNativeBatchNormTraining(native: NativeKernels | undefined): void {
  for (const name of [BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD]) if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
  if (native === undefined) return;
  tf.registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: trainKernel(native) });
  tf.registerKernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'wasm', kernelFunc: gradKernel(native) });
  tf.registerGradient(gradConfig);
}

/** Whether the active backend has the fused training kernel. */
export function batchNormTrainingAvailable(): boolean {
  return tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend()) !== undefined;
}

/**
 * Training-mode BatchNorm of x [..., C] with per-channel γ, β: returns [y, batch mean, biased batch variance]; only y
 * is differentiable. Callers check batchNormTrainingAvailable() first.
 */
export function batchNormTraining(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, varianceEpsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(BATCH_NORM_TRAIN, { x, scale, offset }, { varianceEpsilon }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}
