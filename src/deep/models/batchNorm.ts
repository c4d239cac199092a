/**
 * tfjs-layers' BatchNormalization, with its training-mode forward pass on the fused native op where the active
 * backend has one (wasm with mlnc's addon: backend/nativeBatchNormTraining.ts), and tfjs-layers' own code everywhere
 * else (inference, tfjs-node, cpu, pure wasm, or an axis other than the last).
 *
 * Same weights (gamma, beta, moving_mean, moving_variance), same config and the same class name, registered over the
 * stock one, so saved topologies and checkpoints are interchangeable with plain tfjs models. The fused path computes
 * the same quantities as tfjs-layers — batch mean and biased variance over every axis but the channels, then
 * y = (x − μ)·γ/√(σ² + ε) + β — and updates the moving averages with the very same ops (m ← m − (m − value)·(1 − momentum)).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, batchNormTrainingAvailable } from '../backend/nativeBatchNormTraining.js';

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type Kwargs = Record<string, unknown>;

interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** The fields of tfjs-layers' BatchNormalization that the fused path reads. */
interface Internals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariableLike;
  beta: LayerVariableLike;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}

// tfjs-layers does not export the class itself; every instance carries its constructor.
const StockBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (
  args: BatchNormArgs,
) => tf.layers.Layer;

export class BatchNormalization extends StockBatchNormalization {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as Internals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = kwargs.training === true;
    const lastAxis = self.axis === -1 || self.axis === x.shape.length - 1;
    if (!training || !lastAxis || !self.center || !self.scale || x.dtype !== 'float32' || x.size === 0 || !batchNormTrainingAvailable()) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTraining(x, self.gamma.read(), self.beta.read(), self.epsilon);
      const decay = 1 - self.momentum;
      for (const [v, value] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const orig = v.read();
          v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
        });
      }
      return y;
    });
  }
}
// The stock class's static fromConfig is inherited at run time; its type is not visible through the cast above.
tf.serialization.registerClass(BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

export function batchNormalization(args: BatchNormArgs = {}): tf.layers.Layer {
  return new BatchNormalization(args);
}
