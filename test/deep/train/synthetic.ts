import { labelSet, type LabelSet } from '../../../src/geometry/types.js';
import { Rng } from '../../../src/util/rng.js';
import type { TrainingImages } from '../../../src/deep/train/types.js';

/**
 * A tiny multi-label image set for fast tests: class k lights a 2×2 block at its own position of an 8×8 canvas,
 * a multi-label image is the pixel-wise max of its classes' images, plus uniform noise.
 */
export function syntheticImages(opts: { K: number; perClass: number; perPair: number; side?: number; channels?: number; seed: number }): TrainingImages {
  const { K, perClass, perPair, seed } = opts;
  const side = opts.side ?? 8;
  const C = opts.channels ?? 1;
  const rng = new Rng(seed);
  const labels: LabelSet[] = [];
  for (let k = 0; k < K; k++) for (let r = 0; r < perClass; r++) labels.push(labelSet([k]));
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) for (let r = 0; r < perPair; r++) labels.push(labelSet([a, b]));
  const per = side * side * C;
  const images = new Uint8Array(labels.length * per);
  labels.forEach((S, i) => {
    for (let j = 0; j < per; j++) images[i * per + j] = rng.int(60);
    for (const k of S) {
      const y0 = (2 * Math.floor((2 * k) / side) * 2) % (side - 1);
      const x0 = (2 * k) % (side - 1);
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) for (let c = 0; c < C; c++) {
        images[i * per + ((y0 + dy) * side + (x0 + dx)) * C + c] = 200 + rng.int(55);
      }
    }
  });
  return { name: 'synthetic', K, height: side, width: side, channels: C, images, labels };
}
