/**
 * Pure helpers for the geometry picture: class and label-set means, and a 2-D projection onto the top-2 singular
 * directions of the centred class means, computed from the K×K Gram matrix by power iteration (no d×d matrix).
 */
import { FigureDataError } from './figureDataError.js';

export type Vec = readonly number[];

/** Canonical key of a label set: sorted class indices joined by commas. */
export function setKey(labels: readonly number[]): string {
  return [...labels].sort((a, b) => a - b).join(',');
}

/** Mean feature of every label set present, keyed by setKey. */
export function labelSetMeans(features: readonly Vec[], labels: readonly (readonly number[])[]): Map<string, number[]> {
  const d = features[0].length;
  const sums = new Map<string, { s: number[]; n: number }>();
  features.forEach((h, i) => {
    const key = setKey(labels[i]);
    let e = sums.get(key);
    if (!e) { e = { s: new Array<number>(d).fill(0), n: 0 }; sums.set(key, e); }
    for (let j = 0; j < d; j++) e.s[j] += h[j];
    e.n++;
  });
  const out = new Map<string, number[]>();
  for (const [k, { s, n }] of sums) out.set(k, s.map((v) => v / n));
  return out;
}

const dot = (a: Vec, b: Vec) => a.reduce((acc, v, i) => acc + v * b[i], 0);
const norm = (a: Vec) => Math.sqrt(dot(a, a));

/** Top eigenvectors of a small symmetric PSD matrix by power iteration with deflation (deterministic start). */
export function topEigenvectors(A: readonly Vec[], count: number, iters = 500): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const M = A.map((r) => [...r]);
  const values: number[] = [];
  const vectors: number[][] = [];
  for (let c = 0; c < count; c++) {
    // start away from already found vectors: 1, 2, ..., n is generic enough for the small Gram matrices here
    let v = Array.from({ length: n }, (_, i) => 1 + i + 0.37 * i * i);
    for (const u of vectors) { const p = dot(v, u); v = v.map((x, i) => x - p * u[i]); }
    let nv = norm(v);
    v = v.map((x) => x / nv);
    let lambda = 0;
    for (let t = 0; t < iters; t++) {
      const w = M.map((r) => dot(r, v));
      nv = norm(w);
      if (nv < 1e-300) { lambda = 0; break; }
      const next = w.map((x) => x / nv);
      lambda = nv;
      const diff = Math.sqrt(next.reduce((a, x, i) => a + (x - v[i]) ** 2, 0));
      v = next;
      if (diff < 1e-13) break;
    }
    values.push(lambda);
    vectors.push(v);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M[i][j] -= lambda * v[i] * v[j];
  }
  return { values, vectors };
}

export interface Projection2D {
  /** Origin of the picture (the mean of the class means, μ_G). */
  center: number[];
  /** Orthonormal directions u₁, u₂ in feature space. */
  u1: number[];
  u2: number[];
  /** Fraction of the centred class means' squared norm captured by the two directions (1 when K = 3). */
  captured: number;
}

/**
 * Directions: top-2 right singular vectors of M̃ (rows μ_k − μ_G), via the K×K Gram M̃M̃ᵀ: u_r ∝ M̃ᵀv_r.
 * Signs fixed so class 0 lies on +u₁ and class 1 on the +u₂ side (same orientation in every panel).
 * A degenerate second direction (rank-1 means) falls back to any unit vector orthogonal to u₁.
 */
export function classMeanProjection(classMeans: readonly Vec[]): Projection2D {
  const K = classMeans.length;
  const d = classMeans[0].length;
  if (d < 2) throw new FigureDataError('geometry: features need at least 2 dimensions');
  const center = new Array<number>(d).fill(0);
  for (const m of classMeans) for (let j = 0; j < d; j++) center[j] += m[j] / K;
  const Mt = classMeans.map((m) => m.map((v, j) => v - center[j]));
  const gram = Mt.map((a) => Mt.map((b) => dot(a, b)));
  const total = gram.reduce((a, r, i) => a + r[i], 0);
  const { values, vectors } = topEigenvectors(gram, Math.min(2, K));
  const dirs: number[][] = [];
  for (let r = 0; r < vectors.length; r++) {
    if (values[r] <= 1e-12 * Math.max(total, 1e-300)) break;
    const u = new Array<number>(d).fill(0);
    Mt.forEach((row, k) => { for (let j = 0; j < d; j++) u[j] += vectors[r][k] * row[j]; });
    for (const p of dirs) { const c = dot(u, p); for (let j = 0; j < d; j++) u[j] -= c * p[j]; }
    const nu = norm(u);
    if (nu > 1e-12) dirs.push(u.map((x) => x / nu));
  }
  for (let j = 0; dirs.length < 2 && j < d; j++) {
    const e = new Array<number>(d).fill(0);
    e[j] = 1;
    for (const p of dirs) { const c = dot(e, p); for (let i = 0; i < d; i++) e[i] -= c * p[i]; }
    const ne = norm(e);
    if (ne > 1e-6) dirs.push(e.map((x) => x / ne));
  }
  let [u1, u2] = dirs;
  if (dot(Mt[0], u1) < 0) u1 = u1.map((x) => -x);
  if (K > 1 && dot(Mt[1], u2) < 0) u2 = u2.map((x) => -x);
  const captured = total > 0 ? Mt.reduce((a, m) => a + dot(m, u1) ** 2 + dot(m, u2) ** 2, 0) / total : 1;
  return { center, u1, u2, captured };
}

/** Coordinates of v − center (or of v itself when centred = false) on (u₁, u₂). */
export function project(p: Projection2D, v: Vec, centred = true): [number, number] {
  const w = centred ? v.map((x, j) => x - p.center[j]) : v;
  return [dot(w, p.u1), dot(w, p.u2)];
}
