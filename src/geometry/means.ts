import type { Matrix } from './types.js';
import type { LabelSetGroups } from './labelSets.js';

/**
 * Mean feature of every label-set group, a G×d float64 matrix (row g belongs to groups.sets[g]).
 * One pass over the N×d features, accumulated in float64. Throws on a row-count mismatch or non-finite features
 * (a NaN or ±Inf entry always leaves its group's sum non-finite, so checking the sums is enough).
 * @example
 * const groups = groupByLabelSet([[0], [0, 1], [1], [0]], 2);
 * const features = matrix(4, 2, Float64Array.of(1, 0, 1, 1, 0, 1, 3, 0));
 * labelSetMeans(features, groups).data; // → [2, 0, 0, 1, 1, 1]
 */
export function labelSetMeans(features: Matrix, groups: LabelSetGroups): Matrix<Float64Array> {
  const { rows: N, cols: d, data: f } = features;
  if (groups.groupOf.length !== N) {
    throw new Error(`labels have length ${groups.groupOf.length} but features have N = ${N} rows`);
  }
  const G = groups.counts.length;
  const sums = new Float64Array(G * d);
  const groupOf = groups.groupOf;
  for (let i = 0; i < N; i++) {
    const o = groupOf[i] * d;
    const b = i * d;
    for (let t = 0; t < d; t++) sums[o + t] += f[b + t];
  }
  for (let g = 0; g < G; g++) {
    const inv = 1 / groups.counts[g];
    const o = g * d;
    for (let t = 0; t < d; t++) {
      const s = sums[o + t];
      if (!Number.isFinite(s)) throw new Error(`features have non-finite entries (label set [${groups.sets[g].join(', ')}])`);
      sums[o + t] = s * inv;
    }
  }
  return { rows: G, cols: d, data: sums };
}

/**
 * Class means μ_k (mean of the multiplicity-1 features of class k) picked out of the label-set means.
 * @example
 * const groups = groupByLabelSet([[0], [0, 1], [1], [0]], 2);
 * const setMeans = labelSetMeans(matrix(4, 2, Float64Array.of(1, 0, 1, 1, 0, 1, 3, 0)), groups);
 * classMeansFromSetMeans(setMeans, groups).data; // → [2, 0, 0, 1]
 */
export function classMeansFromSetMeans(setMeans: Matrix<Float64Array>, groups: LabelSetGroups): Matrix<Float64Array> {
  const { K, singletonGroup } = groups;
  const d = setMeans.cols;
  const out = new Float64Array(K * d);
  for (let k = 0; k < K; k++) {
    const g = singletonGroup[k];
    if (g < 0) throw new Error(`class ${k} has no multiplicity-1 sample, so its class mean is undefined`);
    out.set(setMeans.data.subarray(g * d, (g + 1) * d), k * d);
  }
  return { rows: K, cols: d, data: out };
}

/**
 * Class means μ_k, K×d: the mean of the multiplicity-1 features of each class (Li et al. 2024).
 * @example
 * const groups = groupByLabelSet([[0], [0, 1], [1], [0]], 2);
 * classMeans(matrix(4, 2, Float64Array.of(1, 0, 1, 1, 0, 1, 3, 0)), groups).data; // → [2, 0, 0, 1]
 */
export function classMeans(features: Matrix, groups: LabelSetGroups): Matrix<Float64Array> {
  return classMeansFromSetMeans(labelSetMeans(features, groups), groups);
}

/**
 * Global mean μ_G = (1/K)Σ_k μ_k, the mean of the class means (what balanced-design theory uses).
 * @example
 * globalMean(matrix(2, 2, Float64Array.of(2, 0, 0, 1))); // → [1, 0.5]
 */
export function globalMean(classMeansKd: Matrix): Float64Array {
  const { rows: K, cols: d, data } = classMeansKd;
  const mu = new Float64Array(d);
  for (let k = 0; k < K; k++) for (let t = 0; t < d; t++) mu[t] += data[k * d + t];
  for (let t = 0; t < d; t++) mu[t] /= K;
  return mu;
}

/**
 * The public code's global mean, offered for comparison only: the sum of the multiplicity-1 features divided by the
 * number of ALL samples N (not by the number of multiplicity-1 samples), i.e. Σ_k n_k μ_k / N.
 * @example
 * // class 0 has two multiplicity-1 samples, class 1 has one, and N = 4: (2·μ_0 + 1·μ_1)/4
 * const groups = groupByLabelSet([[0], [0, 1], [1], [0]], 2);
 * globalMeanQuirk(matrix(2, 2, Float64Array.of(2, 0, 0, 1)), groups); // → [1, 0.25]
 */
export function globalMeanQuirk(classMeansKd: Matrix, groups: LabelSetGroups): Float64Array {
  const { rows: K, cols: d, data } = classMeansKd;
  const N = groups.groupOf.length;
  const mu = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    const n = groups.counts[groups.singletonGroup[k]];
    for (let t = 0; t < d; t++) mu[t] += n * data[k * d + t];
  }
  for (let t = 0; t < d; t++) mu[t] /= N;
  return mu;
}

/**
 * Rows of M minus the vector mu (e.g. M̃ = class means minus μ_G).
 * @example
 * centreRows(matrix(2, 2, Float64Array.of(2, 0, 0, 1)), [1, 0.5]).data; // → [1, -0.5, -1, 0.5]
 */
export function centreRows(M: Matrix, mu: ArrayLike<number>): Matrix<Float64Array> {
  const { rows, cols, data } = M;
  if (mu.length !== cols) throw new Error(`centreRows: vector has length ${mu.length}, expected ${cols}`);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let t = 0; t < cols; t++) out[i * cols + t] = data[i * cols + t] - mu[t];
  return { rows, cols, data: out };
}
