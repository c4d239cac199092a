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
 */
export function trainStep(model: tf.LayersModel, sgd: MomentumSgd, x: tf.Tensor4D, y: tf.Tensor2D, opts: StepOptions): StepResult {
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
  const result: StepResult = {
    loss: (dataTerm as tf.Scalar).dataSync()[0],
    penalty: (pen as tf.Scalar).dataSync()[0],
    logits: (logitsOut as tf.Tensor2D).dataSync() as Float32Array,
  };
  if (Number.isFinite(result.loss) && Number.isFinite(result.penalty)) sgd.step(named, opts.lr);
  tf.dispose([value, dataTerm, pen, logitsOut, ...Object.values(grads)]);
  return result;
}
