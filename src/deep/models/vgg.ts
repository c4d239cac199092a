import * as tf from '@tensorflow/tfjs';
import { bn, conv, relu, type Sym } from './layers.js';

/**
 * VGG16/VGG19 with BatchNorm after every conv (Simonyan & Zisserman 2015; the CIFAR variant of the public code).
 * Numbers are conv widths as multiples of `baseWidth`/64, 'M' a 2×2 max-pool ('same' padding so any input size ≥ 1 works).
 * `lastChannels` (the `--fix-dim` variant) makes the last conv output K channels.
 */
const CONFIGS = {
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const;

export function vggTrunk(input: Sym, variant: keyof typeof CONFIGS, baseWidth: number, lastChannels?: number): Sym {
  const cfg = CONFIGS[variant];
  const lastConv = cfg.map((v) => v !== 'M').lastIndexOf(true);
  let x = input;
  cfg.forEach((v, i) => {
    if (v === 'M') {
      x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: `pool${i}` }).apply(x) as Sym;
    } else {
      const filters = i === lastConv && lastChannels !== undefined ? lastChannels : Math.max(1, Math.round((v * baseWidth) / 64));
      x = relu(bn(conv(x, filters, 3, 1, `conv${i}`, true), `bn${i}`), `relu${i}`);
    }
  });
  return x;
}
