/**
 * Mean and Sum gradients that broadcast instead of multiplying by a full-size `ones`.
 *
 * tfjs-core's gradients of Mean and Sum build ∂x as dy · ones(x.shape) (÷ n for Mean). `ones` fills a full-size
 * JS array and uploads it; in a training step of the reference net (BatchNorm's moments are two Means over N, H, W
 * per layer, global pooling one more) that alone took ~120 ms of a ~530 ms step on wasm (node --cpu-prof,
 * makeOnesTypedArray). Here ∂x = broadcastTo(reshape(dy) [÷ n], x.shape): one small divide and one Tile.
 * Same mathematics, so it is registered for every backend (gradients are per kernel name, not per backend).
 */
import * as tf from '@tensorflow/tfjs';

function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: unknown): { dy: tf.Tensor; reduceSize: number } {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const shape = x.shape.slice();
  let reduceSize = 1;
  for (const a of axes) {
    reduceSize *= shape[a];
    shape[a] = 1;
  }
  return { dy: tf.reshape(dy, shape), reduceSize };
}

export const meanGradConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    return {
      x: () => {
        const e = expandedDy(dy as tf.Tensor, x, (attrs as { axis: unknown }).axis);
        return tf.broadcastTo(tf.div(e.dy, tf.scalar(e.reduceSize)), x.shape);
      },
    };
  },
};

export const sumGradConfig: tf.GradConfig = {
  kernelName: 'Sum',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    return { x: () => tf.broadcastTo(expandedDy(dy as tf.Tensor, x, (attrs as { axis: unknown }).axis).dy, x.shape) };
  },
};
