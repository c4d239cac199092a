import { add, bn, channelsOf, conv, relu, type Sym } from './layers.js';

/**
 * ResNets with the CIFAR-style stem of the public code (He et al. 2016 blocks; 3×3 stride-1 stem conv, no max-pool).
 * `lastChannels` overrides the output width of the very last block (the `--fix-dim` variant: the last block outputs K
 * channels, so the penultimate feature dimension is K; its shortcut becomes a 1×1 projection).
 */
export interface ResNetOptions {
  /** Channels of the first stage; later stages double it. ResNet18/50 use 64. */
  baseWidth: number;
  /** Blocks in each stage, e.g. [2, 2, 2, 2] for ResNet18. */
  blocks: readonly number[];
  block: 'basic' | 'bottleneck';
  lastChannels?: number;
}

function shortcut(x: Sym, outChannels: number, stride: number, name: string): Sym {
  if (stride === 1 && channelsOf(x) === outChannels) return x;
  return bn(conv(x, outChannels, 1, stride, `${name}_sc_conv`), `${name}_sc_bn`);
}

/** Two 3×3 convs (ResNet18/34). */
function basicBlock(x: Sym, planes: number, stride: number, outChannels: number, name: string): Sym {
  let y = relu(bn(conv(x, planes, 3, stride, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
  y = bn(conv(y, outChannels, 3, 1, `${name}_conv2`), `${name}_bn2`);
  return relu(add(y, shortcut(x, outChannels, stride, name), `${name}_add`), `${name}_out`);
}

/** 1×1 → 3×3 → 1×1 with expansion 4 (ResNet50). */
function bottleneckBlock(x: Sym, planes: number, stride: number, outChannels: number, name: string): Sym {
  let y = relu(bn(conv(x, planes, 1, 1, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
  y = relu(bn(conv(y, planes, 3, stride, `${name}_conv2`), `${name}_bn2`), `${name}_relu2`);
  y = bn(conv(y, outChannels, 1, 1, `${name}_conv3`), `${name}_bn3`);
  return relu(add(y, shortcut(x, outChannels, stride, name), `${name}_add`), `${name}_out`);
}

/** The convolutional trunk; returns the last feature map (before global pooling). */
export function resnetTrunk(input: Sym, opts: ResNetOptions): Sym {
  const expansion = opts.block === 'basic' ? 1 : 4;
  let x = relu(bn(conv(input, opts.baseWidth, 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu');
  opts.blocks.forEach((n, stage) => {
    const planes = opts.baseWidth * 2 ** stage;
    for (let b = 0; b < n; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const isLast = stage === opts.blocks.length - 1 && b === n - 1;
      const out = isLast && opts.lastChannels !== undefined ? opts.lastChannels : planes * expansion;
      const name = `s${stage + 1}b${b + 1}`;
      x = opts.block === 'basic' ? basicBlock(x, planes, stride, out, name) : bottleneckBlock(x, planes, stride, out, name);
    }
  });
  return x;
}
