import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/rng.js';
import { ARCHS, type Arch } from './archs.js';
import { etfKernel } from './etf.js';
import type { Sym } from './layers.js';
import { resnetTrunk } from './resnet.js';
import { vggTrunk } from './vgg.js';

export { etfKernel } from './etf.js';
export { canonicalEtf } from '../../geometry/etf.js';

export { ARCHS, type Arch } from './archs.js';

export interface ModelSpec {
  arch: Arch;
  /** [height, width, channels] of one input image. */
  inputShape: readonly [number, number, number];
  K: number;
  /** Base width (channels of the first stage). Defaults: 64 for resnet18/50 and vgg, 16 for resnet-small. */
  width?: number;
  /** resnet-small only: blocks per stage (3 stages). Default 1. */
  depth?: number;
  /** Freeze the classifier to the canonical simplex ETF (embedded as [E | 0] when d > K); the bias stays trainable. */
  fixedEtf?: boolean;
  /** Make the penultimate feature dimension K (the last block outputs K channels). */
  fixDim?: boolean;
}

export interface BuiltModel {
  /** Outputs [logits (N×K), features (N×d)]; the features are the global-average-pooled last block (after its ReLU). */
  model: tf.LayersModel;
  featureDim: number;
  spec: ModelSpec;
  trainableParams: number;
  totalParams: number;
}

export const CLASSIFIER_LAYER = 'classifier';
export const FEATURE_LAYER = 'features';

export function defaultWidth(arch: Arch): number {
  return arch === 'resnet-small' ? 16 : 64;
}

/** Builds a two-output functional model; throws an Error naming the problem on an invalid spec. */
export function buildModel(spec: ModelSpec): BuiltModel {
  const { arch, inputShape, K } = spec;
  if (!(ARCHS as readonly string[]).includes(arch)) {
    throw new Error(`unknown architecture "${arch}" (choose one of: ${ARCHS.join(', ')})`);
  }
  if (!Number.isInteger(K) || K < 2) throw new Error(`the number of classes K must be an integer ≥ 2, got ${K}`);
  if (inputShape.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`bad input shape [${inputShape.join(', ')}]`);
  const width = spec.width ?? defaultWidth(arch);
  if (!Number.isInteger(width) || width < 1) throw new Error(`width must be a positive integer, got ${width}`);
  const depth = spec.depth ?? 1;
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`depth must be a positive integer, got ${depth}`);
  const lastChannels = spec.fixDim ? K : undefined;

  const input = tf.input({ shape: [...inputShape], name: 'image' });
  let trunk: Sym;
  switch (arch) {
    case 'resnet18':
      trunk = resnetTrunk(input, { baseWidth: width, blocks: [2, 2, 2, 2], block: 'basic', lastChannels });
      break;
    case 'resnet50':
      trunk = resnetTrunk(input, { baseWidth: width, blocks: [3, 4, 6, 3], block: 'bottleneck', lastChannels });
      break;
    case 'resnet-small':
      trunk = resnetTrunk(input, { baseWidth: width, blocks: [depth, depth, depth], block: 'basic', lastChannels });
      break;
    case 'vgg16':
    case 'vgg19':
      trunk = vggTrunk(input, arch, width, lastChannels);
      break;
  }
  const features = tf.layers.globalAveragePooling2d({ name: FEATURE_LAYER }).apply(trunk) as Sym;
  const featureDim = features.shape[1] as number;
  if (spec.fixedEtf && featureDim < K) {
    throw new Error(`--fixed-etf needs feature dimension d ≥ K, but ${arch} at width ${width} gives d = ${featureDim} < K = ${K}; add --fix-dim or raise --width`);
  }
  const classifier = tf.layers.dense({ units: K, useBias: true, name: CLASSIFIER_LAYER });
  const logits = classifier.apply(features) as Sym;
  const model = tf.model({ inputs: input, outputs: [logits, features], name: `mlnc_${arch.replace('-', '_')}` });
  if (spec.fixedEtf) freezeEtfClassifier(model, K, featureDim);
  return { model, featureDim, spec: { ...spec, width, depth }, ...paramCounts(model) };
}

/**
 * Sets the classifier kernel to the (embedded) canonical ETF and marks that one variable non-trainable; the bias stays
 * trainable. Call again after loading a model from a checkpoint (per-variable trainability is not part of the topology).
 */
export function freezeEtfClassifier(model: tf.LayersModel, K: number, featureDim: number): void {
  const layer = model.getLayer(CLASSIFIER_LAYER);
  const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
  if (!kernel) throw new Error('the classifier layer has no kernel');
  const value = tf.tensor2d(etfKernel(K, featureDim), [featureDim, K]);
  kernel.write(value);
  value.dispose();
  kernel.trainable = false;
}

export function paramCounts(model: tf.LayersModel): { trainableParams: number; totalParams: number } {
  const count = (ws: readonly { shape: readonly (number | null)[] }[]) =>
    ws.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return { trainableParams: count(model.trainableWeights), totalParams: count(model.weights) };
}

/**
 * Seeded initialisation, so that a run is reproducible from its seed (tfjs initialisers draw from their own RNG):
 * conv kernels Kaiming-normal with fan-out (as torchvision's ResNet), dense kernels uniform ±1/√fan_in (PyTorch Linear),
 * biases 0, BatchNorm γ = 1, β = 0, running mean 0, running variance 1. A frozen ETF kernel is left as it is.
 */
export function initWeights(model: tf.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    for (const w of layer.weights) {
      if (!w.trainable && w.originalName.endsWith('/kernel')) continue;
      const shape = w.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      const leaf = w.originalName.split('/').pop() ?? '';
      if (leaf === 'kernel' && cls === 'Conv2D') {
        const [kh, kw, , out] = shape;
        rng.fillNormal(data, Math.sqrt(2 / (kh * kw * out)));
      } else if (leaf === 'kernel') {
        const bound = 1 / Math.sqrt(shape[0]);
        for (let i = 0; i < size; i++) data[i] = (2 * rng.uniform() - 1) * bound;
      } else if (leaf === 'gamma' || leaf === 'moving_variance') {
        data.fill(1);
      }
      const value = tf.tensor(data, shape);
      w.write(value);
      value.dispose();
    }
  }
}
