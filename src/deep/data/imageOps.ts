/** Pure pixel operations on NHWC uint8 images. */
import type { SourceImages } from './types.js';

/**
 * Block-mean downsampling by an integer factor f (each f×f block → its rounded mean), used for the CPU-sized
 * presets. Requires H and W divisible by f. f = 1 returns the input unchanged.
 */
export function downsampleSource(src: SourceImages, f: number): SourceImages {
  if (!Number.isInteger(f) || f < 1) throw new Error(`downsample factor must be a positive integer, got ${f}`);
  if (f === 1) return src;
  const { count, height: H, width: W, channels: C } = src;
  if (H % f !== 0 || W % f !== 0) throw new Error(`downsample factor ${f} does not divide the image size ${H}×${W}`);
  const h = H / f;
  const w = W / f;
  const area = f * f;
  const out = new Uint8Array(count * h * w * C);
  for (let n = 0; n < count; n++) {
    const inBase = n * H * W * C;
    const outBase = n * h * w * C;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let dy = 0; dy < f; dy++) {
            for (let dx = 0; dx < f; dx++) sum += src.pixels[inBase + ((y * f + dy) * W + (x * f + dx)) * C + c];
          }
          out[outBase + (y * w + x) * C + c] = Math.floor((sum + (area >> 1)) / area);
        }
      }
    }
  }
  return { ...src, height: h, width: w, pixels: out, origin: { ...src.origin, downsample: f } };
}

/** Converts one channel-major (C×H×W) image to H×W×C, writing into `out` at `outOffset`. */
export function chwToHwc(chw: Uint8Array, inOffset: number, H: number, W: number, C: number, out: Uint8Array, outOffset: number): void {
  const plane = H * W;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < C; c++) out[outOffset + p * C + c] = chw[inOffset + c * plane + p];
  }
}

/**
 * Draws source image `index` onto a side×side canvas (NHWC, `canvasOffset` = start of the target image) with its
 * top-left corner at (y, x), wrapping around the canvas edges like np.roll, combining by element-wise max.
 * Placing at (base + shift) with wrap-around is exactly "pad at base, then np.roll by shift".
 */
export function maxPasteWrapped(
  src: SourceImages,
  index: number,
  canvas: Uint8Array,
  canvasOffset: number,
  side: number,
  y: number,
  x: number,
): void {
  const { height: h, width: w, channels: C } = src;
  const inBase = index * h * w * C;
  for (let r = 0; r < h; r++) {
    const cy = (((y + r) % side) + side) % side;
    for (let c = 0; c < w; c++) {
      const cx = (((x + c) % side) + side) % side;
      const o = canvasOffset + (cy * side + cx) * C;
      const i = inBase + (r * w + c) * C;
      for (let ch = 0; ch < C; ch++) {
        const v = src.pixels[i + ch];
        if (v > canvas[o + ch]) canvas[o + ch] = v;
      }
    }
  }
}
