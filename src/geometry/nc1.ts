import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import type { Matrix } from './types.js';
import type { LabelSetGroups } from './labelSets.js';
import { classMeans as computeClassMeans, globalMean, centreRows } from './means.js';
import { gram } from './etfDistance.js';

export interface Nc1Options {
  /** Precomputed class means (K×d), to skip a pass over the features. */
  classMeans?: Matrix;
  /** Eigenvalues of Σ_B below relTol·λ_max count as zero (the pseudo-inverse cutoff). Default 1e-10. */
  relTol?: number;
}

/**
 * Within-class variability NC1 = tr(Σ_W Σ_B⁺)/K over the multiplicity-1 samples (Papyan, Han, Donoho 2020;
 * Li et al. 2024), with Σ_W = (1/N_1)Σ_i (h_i − μ_{y_i})(h_i − μ_{y_i})ᵀ and Σ_B = M̃ᵀM̃/K, M̃ = rows μ_k − μ_G.
 *
 * Σ_B has rank ≤ K−1, so instead of a d×d pseudo-inverse we eigen-decompose the K×K matrix M̃M̃ᵀ/K = VΛVᵀ: its
 * nonzero eigenvalues are those of Σ_B, with unit eigenvectors u_r = M̃ᵀv_r/√(Kλ_r). Then
 *   NC1 = (1/K)(1/N_1) Σ_i Σ_r ⟨u_r, h_i − μ_{y_i}⟩² / λ_r,
 * O(N·d·K) time, O(K·d) extra memory, and never negative.
 */
export function nc1(features: Matrix, groups: LabelSetGroups, options: Nc1Options = {}): number {
  const { rows: N, cols: d, data: f } = features;
  const K = groups.K;
  if (groups.groupOf.length !== N) {
    throw new Error(`labels have length ${groups.groupOf.length} but features have N = ${N} rows`);
  }
  const relTol = options.relTol ?? 1e-10;
  if (!(relTol >= 0 && relTol < 1)) throw new Error(`nc1: relTol = ${relTol} must be in [0, 1)`);
  const cm = options.classMeans ?? computeClassMeans(features, groups);
  if (cm.rows !== K || cm.cols !== d) {
    throw new Error(`nc1: class means are ${cm.rows}×${cm.cols}, expected K×d = ${K}×${d}`);
  }
  const Mt = centreRows(cm, globalMean(cm));
  const U = betweenClassDirections(Mt, relTol); // R×d, rows u_r/√λ_r
  const R = U.rows;
  const u = U.data;

  const singleClass = new Int32Array(groups.counts.length).fill(-1);
  for (let k = 0; k < K; k++) if (groups.singletonGroup[k] >= 0) singleClass[groups.singletonGroup[k]] = k;
  const mu = cm.data;
  const diff = new Float64Array(d);
  const groupOf = groups.groupOf;
  let total = 0;
  let n1 = 0;
  for (let i = 0; i < N; i++) {
    const k = singleClass[groupOf[i]];
    if (k < 0) continue;
    n1++;
    const b = i * d;
    const m = k * d;
    for (let t = 0; t < d; t++) diff[t] = f[b + t] - mu[m + t];
    // Four directions per sweep: diff is read once for four dot products.
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      const o0 = r * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = 0; t < d; t++) {
        const x = diff[t];
        s0 += u[o0 + t] * x;
        s1 += u[o1 + t] * x;
        s2 += u[o2 + t] * x;
        s3 += u[o3 + t] * x;
      }
      total += s0 * s0 + s1 * s1 + s2 * s2 + s3 * s3;
    }
    for (; r < R; r++) {
      const o = r * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += u[o + t] * diff[t];
      total += s * s;
    }
  }
  if (n1 === 0) throw new Error('nc1: there are no multiplicity-1 samples');
  return total / (K * n1);
}

/**
 * Unit eigenvectors of Σ_B = M̃ᵀM̃/K for its eigenvalues above relTol·λ_max, each divided by √λ_r: an R×d matrix
 * whose rows are u_r/√λ_r with u_r = M̃ᵀv_r/√(Kλ_r). Only the K×K matrix M̃M̃ᵀ/K is decomposed.
 */
export function betweenClassDirections(Mt: Matrix, relTol = 1e-10): Matrix<Float64Array> {
  const { rows: K, cols: d, data: m } = Mt;
  const g = gram(Mt);
  for (let i = 0; i < g.length; i++) g[i] /= K;
  const S = new MlMatrix(K, K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) S.set(i, j, g[i * K + j]);
  const evd = new EigenvalueDecomposition(S, { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  let lmax = 0;
  for (const l of lambda) if (l > lmax) lmax = l;
  if (!(lmax > 0) || !Number.isFinite(lmax)) {
    throw new Error('nc1: all class means coincide (between-class scatter is zero), NC1 is undefined');
  }
  const keep: number[] = [];
  lambda.forEach((l, r) => { if (l > relTol * lmax) keep.push(r); });
  const out = new Float64Array(keep.length * d);
  keep.forEach((r, q) => {
    // u_r/√λ_r = M̃ᵀv_r/(√K·λ_r)
    const scale = 1 / (Math.sqrt(K) * lambda[r]);
    const o = q * d;
    for (let k = 0; k < K; k++) {
      const v = V.get(k, r) * scale;
      if (v === 0) continue;
      const mk = k * d;
      for (let t = 0; t < d; t++) out[o + t] += v * m[mk + t];
    }
  });
  return { rows: keep.length, cols: d, data: out };
}
