/**
 * Model weights as plain named arrays (what crosses between the main thread and the worker replicas, and what a
 * checkpoint needs), keyed by each weight's stable original name (e.g. "s1b1_conv1/kernel").
 */
import * as tf from '@tensorflow/tfjs';

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Copies of every weight of the model (trainable or not: BatchNorm moving statistics included), in model order. */
export function namedWeights(model: tf.LayersModel): NamedArray[] {
  return model.weights.map((w) => ({
    name: w.originalName,
    shape: [...(w.shape as number[])],
    data: Float32Array.from(w.read().dataSync() as Float32Array),
  }));
}

/** Writes `arrays` into the model's weights; every weight must be given exactly once with its shape. */
export function loadNamedWeights(model: tf.LayersModel, arrays: readonly NamedArray[], what = 'weights'): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  if (byName.size !== arrays.length) throw new Error(`${what}: a weight name occurs twice`);
  if (arrays.length !== model.weights.length) {
    throw new Error(`${what}: ${arrays.length} weight tensors given, the model has ${model.weights.length}`);
  }
  for (const w of model.weights) {
    const a = byName.get(w.originalName);
    if (!a) throw new Error(`${what}: no value for weight ${w.originalName}`);
    if (a.shape.join('x') !== (w.shape as number[]).join('x')) {
      throw new Error(`${what}: weight ${w.originalName} has shape [${a.shape.join(', ')}], the model [${(w.shape as number[]).join(', ')}]`);
    }
    const size = a.shape.reduce((p, q) => p * q, 1);
    if (a.data.length !== size) throw new Error(`${what}: weight ${w.originalName} has ${a.data.length} values for shape [${a.shape.join(', ')}]`);
    const t = tf.tensor(a.data, a.shape);
    w.write(t);
    t.dispose();
  }
}

/** The BatchNorm moving mean/variance weights: the state a training-mode forward pass changes besides the gradients. */
export function movingStatistics(model: tf.LayersModel): tf.LayerVariable[] {
  const out: tf.LayerVariable[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    for (const w of layer.weights) if (/moving_(mean|variance)$/.test(w.originalName)) out.push(w);
  }
  return out;
}
