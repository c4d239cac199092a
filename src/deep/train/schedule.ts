/**
 * One cosine decay over the run, stepped once per epoch (PyTorch CosineAnnealingLR with T_max = epochs, as the public
 * code): lr_e = lr_min + (lr0 − lr_min)·(1 + cos(π·e/E))/2 for epoch e = 0..E−1, with lr_min = lr0/1000.
 */
export function cosineLr(epoch: number, epochs: number, lr0: number, floorRatio = 1e-3): number {
  if (!(epochs >= 1)) throw new Error(`cosineLr: epochs must be ≥ 1, got ${epochs}`);
  const lrMin = lr0 * floorRatio;
  return lrMin + ((lr0 - lrMin) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}
