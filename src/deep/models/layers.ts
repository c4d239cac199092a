import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batchNorm.js';

/** Small named building blocks shared by the model families. BatchNorm follows PyTorch's defaults (momentum 0.1 there = 0.9 here, ε = 1e-5). */
export type Sym = tf.SymbolicTensor;

/** ResNet convs have no bias (BatchNorm follows); the PyTorch CIFAR VGG keeps one, so `useBias` matches its parameter count. */
export function conv(x: Sym, filters: number, kernelSize: number, strides: number, name: string, useBias = false): Sym {
  return tf.layers
    .conv2d({ filters, kernelSize, strides, padding: 'same', useBias, name })
    .apply(x) as Sym;
}

export function bn(x: Sym, name: string): Sym {
  return batchNormalization({ momentum: 0.9, epsilon: 1e-5, name }).apply(x) as Sym;
}

export function relu(x: Sym, name: string): Sym {
  return tf.layers.activation({ activation: 'relu', name }).apply(x) as Sym;
}

export function add(a: Sym, b: Sym, name: string): Sym {
  return tf.layers.add({ name }).apply([a, b]) as Sym;
}

export function channelsOf(x: Sym): number {
  return x.shape[x.shape.length - 1] as number;
}
