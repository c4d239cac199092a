/** One random NHWC conv for the kernel property tests: x [batch, h, w, ci], filter [k, k, ci, co]. */
export interface ConvCase {
  batch: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  stride: 1 | 2;
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  seed: number;
}
