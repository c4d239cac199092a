import { Rng } from '../../src/util/rng.js';
import { etfEmbedding } from '../../src/geometry/etf.js';
import type { LabelSet, Matrix } from '../../src/geometry/types.js';

/** max |a_i − b_i| / max(1, |b_i|): a scale-aware tolerance check. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

/** All subsets of {0..K−1} of size m, in lexicographic order. */
export function subsetsOfSize(K: number, m: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]) => {
    if (acc.length === m) { out.push(acc.slice()); return; }
    for (let k = start; k < K; k++) { acc.push(k); rec(k + 1, acc); acc.pop(); }
  };
  rec(0, []);
  return out;
}

export function matmul(A: Matrix, B: Matrix): Matrix<Float64Array> {
  if (A.cols !== B.rows) throw new Error('matmul shape mismatch');
  const out = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let k = 0; k < A.cols; k++) {
      const a = A.data[i * A.cols + k];
      for (let j = 0; j < B.cols; j++) out[i * B.cols + j] += a * B.data[k * B.cols + j];
    }
  }
  return { rows: A.rows, cols: B.cols, data: out };
}

export function scaled(A: Matrix, c: number): Matrix<Float64Array> {
  return { rows: A.rows, cols: A.cols, data: Float64Array.from(A.data, (x) => c * x) };
}

export interface Collapsed {
  K: number;
  d: number;
  W: Matrix<Float64Array>;
  features: Matrix<Float64Array>;
  labels: LabelSet[];
  /** γ_m per multiplicity (index m). */
  gamma: number[];
}

/**
 * An exactly collapsed multi-label configuration (Li et al. 2024): W = ω·(random simplex ETF in R^d),
 * h_S = γ_m Σ_{k∈S} w_k for every present set, n samples per set, sample order shuffled.
 * `mults` lists the multiplicities ≥ 2 present; multiplicity 1 is always present.
 */
export function collapsed(K: number, d: number, mults: number[], seed: number, perSet = 2): Collapsed {
  const rng = new Rng(seed);
  const omega = 0.5 + 2 * rng.uniform();
  const E = etfEmbedding(K, d, rng);
  const W = scaled(E, omega);
  const gamma: number[] = [];
  const sets: number[][] = [];
  for (const m of [1, ...mults]) {
    gamma[m] = 0.2 + rng.uniform();
    for (const S of subsetsOfSize(K, m)) sets.push(S);
  }
  const labels: LabelSet[] = [];
  const rows: number[][] = [];
  for (const S of sets) {
    for (let r = 0; r < perSet; r++) {
      const h = new Array<number>(d).fill(0);
      for (const k of S) for (let t = 0; t < d; t++) h[t] += gamma[S.length] * W.data[k * d + t];
      labels.push(Object.freeze(S.slice()));
      rows.push(h);
    }
  }
  const order = rng.shuffle(Array.from(rows.keys())) as number[];
  const data = new Float64Array(rows.length * d);
  const shuffledLabels: LabelSet[] = [];
  order.forEach((src, i) => { data.set(rows[src], i * d); shuffledLabels.push(labels[src]); });
  return { K, d, W, features: { rows: rows.length, cols: d, data }, labels: shuffledLabels, gamma };
}

/** Adds independent Gaussian noise of scale sigma to every entry. */
export function noisy(M: Matrix, sigma: number, rng: Rng): Matrix<Float64Array> {
  return { rows: M.rows, cols: M.cols, data: Float64Array.from(M.data, (x) => x + sigma * rng.normal()) };
}
