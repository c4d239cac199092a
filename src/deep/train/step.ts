import * as tf from '@tensorflow/tfjs';
import type { PalLoss } from '../../ufm/pal.js';
import { featurePenalty, palLoss } from '../palLoss.js';
import type { MomentumSgd, NamedVariable } from './sgd.js';

export interface StepOptions {
  loss: PalLoss;
  lambdaH: number;
  lr: number;
}

export interface StepResult {
  /** Mean c_m·PAL over the batch (the data term). */
  loss: number;
  /** λ_H·Σ_i‖h_i‖² over the batch. */
  penalty: number;
  /** Batch logits (training-mode forward pass), row-major B×K, for running accuracy. */
  logits: Float32Array;
}

/** The model's trainable variables under their stable names, in the model's order. */
export function trainableParams(model: tf.LayersModel): NamedVariable[] {
  return model.trainableWeights.map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable }));
}

/**
 * One SGD step on one batch: forward in training mode (BatchNorm uses batch statistics and updates its running
 * averages), loss = mean c_m·PAL + λ_H·Σ‖h‖², gradients of every trainable variable, then the optimiser's update.
 * Weight decay is applied inside the optimiser, not in this loss.
 *
 * The loss, the penalty and the logits come back in one asynchronous read: a GPU backend (webgpu) cannot read
 * synchronously in Node, and one read is one wait for the device instead of three.
 */
export async function trainStep(model: tf.LayersModel, sgd: MomentumSgd, x: tf.Tensor4D, y: tf.Tensor2D, opts: StepOptions): Promise<StepResult> {
  let dataTerm: tf.Scalar | undefined;
  let pen: tf.Scalar | undefined;
  let logitsOut: tf.Tensor2D | undefined;
  const vars = sgd.params.map((p) => p.variable);
  const { grads, value } = tf.variableGrads(() => {
    const [logits, feats] = model.apply(x, { training: true }) as tf.Tensor2D[];
    const l = palLoss(logits, y, opts.loss);
    const p = featurePenalty(feats, opts.lambdaH);
    dataTerm = tf.keep(l);
    pen = tf.keep(p);
    logitsOut = tf.keep(logits);
    return tf.add(l, p) as tf.Scalar;
  }, vars);
  // variableGrads keys gradients by the tf.Variable's own name; re-key them by our stable names.
  const named: Record<string, tf.Tensor> = {};
  for (const p of sgd.params) named[p.name] = grads[p.variable.name];
  const packed = tf.tidy(() => tf.concat([tf.reshape(dataTerm as tf.Scalar, [1]), tf.reshape(pen as tf.Scalar, [1]), tf.reshape(logitsOut as tf.Tensor2D, [-1])]));
  let read: Float32Array;
  try {
    read = (await packed.data()) as Float32Array;
  } catch (err) {
    tf.dispose([packed, value, dataTerm, pen, logitsOut, ...Object.values(grads)]);
    throw err;
  }
  const result: StepResult = { loss: read[0], penalty: read[1], logits: read.slice(2) };
  if (Number.isFinite(result.loss) && Number.isFinite(result.penalty)) sgd.step(named, opts.lr);
  tf.dispose([packed, value, dataTerm, pen, logitsOut, ...Object.values(grads)]);
  return result;
}
