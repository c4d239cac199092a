/**
 * The reference residual network that bench/ sizes training speed and kernel throughput with.
 *
 * input 32×32×3 → 3×3 conv 16 → BN → ReLU → four basic residual blocks of widths 16, 32 (stride 2), 64 (stride 2),
 * 64 → global average pooling → dense (classes). A block is conv3×3(stride)–BN–ReLU–conv3×3–BN plus a shortcut
 * (1×1 conv(stride)–BN where the shape changes, identity otherwise), then ReLU. Convs carry no bias: the BN after
 * each one has its own shift β, so a bias would be redundant.
 *
 * Parameter count for 10 classes (tf countParams, which includes BN's non-trainable moving mean/variance):
 *   convs  3·3·3·16 + 2·(3·3·16·16) + 3·3·16·32 + 3·3·32·32 + 16·32 + 3·3·32·64 + 3·3·64·64 + 32·64 + 2·(3·3·64·64)
 *        = 432 + 4608 + 4608 + 9216 + 512 + 18432 + 36864 + 2048 + 73728 = 150 448
 *   BN     4 per channel (γ, β trainable; moving μ, σ² not) over 16 + 2·16 + 3·32 + 3·64 + 2·64 = 464 channels = 1 856
 *   dense  64·10 + 10 = 650
 *   total  152 954 (trainable 152 026).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../util/rng.js';
import { batchNormalization } from './batchNorm.js';

export const REFERENCE_NET_PARAMS = 152_954;
export const REFERENCE_NET_TRAINABLE_PARAMS = 152_026;

export interface ReferenceNetOptions {
  inputShape?: [number, number, number];
  classes?: number;
  /** Block widths; a block whose width differs from the previous one uses stride 2 (except the first). */
  widths?: number[];
  stemWidth?: number;
  seed?: number;
}

export function buildReferenceNet(opts: ReferenceNetOptions = {}): tf.LayersModel {
  const inputShape = opts.inputShape ?? [32, 32, 3];
  const classes = opts.classes ?? 10;
  const widths = opts.widths ?? [16, 32, 64, 64];
  const stemWidth = opts.stemWidth ?? 16;
  if (classes < 1 || !Number.isInteger(classes)) throw new Error(`classes must be a positive integer, got ${classes}`);
  const rng = new Rng(opts.seed ?? 0);
  const nextSeed = (): number => rng.int(2 ** 31 - 1);

  const conv = (t: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number): tf.SymbolicTensor =>
    tf.layers
      .conv2d({
        filters,
        kernelSize,
        strides,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
      })
      .apply(t) as tf.SymbolicTensor;
  const bn = (t: tf.SymbolicTensor): tf.SymbolicTensor => batchNormalization().apply(t) as tf.SymbolicTensor;
  const relu = (t: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.reLU().apply(t) as tf.SymbolicTensor;

  const input = tf.input({ shape: inputShape });
  let h = relu(bn(conv(input, stemWidth, 3, 1)));
  let width = stemWidth;
  widths.forEach((w, i) => {
    const stride = i > 0 && w !== width ? 2 : 1;
    const main = bn(conv(relu(bn(conv(h, w, 3, stride))), w, 3, 1));
    const shortcut = stride !== 1 || w !== width ? bn(conv(h, w, 1, stride)) : h;
    h = relu(tf.layers.add().apply([main, shortcut]) as tf.SymbolicTensor);
    width = w;
  });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }) })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}
