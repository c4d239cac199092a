import type { LabelSet, Matrix } from './types.js';
import type { LabelSetGroups } from './labelSets.js';
import { angleDeg } from './angle.js';

/**
 * The public code's tag-wise angle metric (multiplicity 2 only, Li et al. 2024): θ_S is the angle in degrees between
 * the mean feature of label set S = {a, b} and μ_a + μ_b (uncentred class means); the metric is mean_S θ_S divided by
 * the mean angle between every μ_i + μ_j (i < j) and every pair-set mean. Scale-blind; 0 under collapse.
 * Returns null when no multiplicity-2 set is present.
 * @example
 * // the pair {0, 1} of collapsed ETF features sits on μ_0 + μ_1 (scaled by 0.75): angle 0
 * const E = canonicalEtf(3).data;
 * const features = matrix(4, 3, Float64Array.of(...E, ...E.subarray(0, 3).map((v, t) => 0.75 * (v + E[3 + t]))));
 * const groups = groupByLabelSet([[0], [1], [2], [0, 1]], 3);
 * const setMeans = labelSetMeans(features, groups);
 * tagAngle(setMeans, groups, classMeansFromSetMeans(setMeans, groups)); // ≈ 0.0000000
 */
export function tagAngle(setMeans: Matrix, groups: LabelSetGroups, classMeansKd: Matrix): number | null {
  const { K } = groups;
  const d = setMeans.cols;
  checkShapes(setMeans, groups, classMeansKd, 'tagAngle');
  const pairGroups: number[] = [];
  groups.multiplicity.forEach((m, g) => { if (m === 2) pairGroups.push(g); });
  if (pairGroups.length === 0) return null;
  const mu = classMeansKd.data;
  const sumOf = (a: number, b: number): Float64Array => {
    const s = new Float64Array(d);
    for (let t = 0; t < d; t++) s[t] = mu[a * d + t] + mu[b * d + t];
    return s;
  };
  const pairMean = (g: number) => setMeans.data.subarray(g * d, (g + 1) * d);
  let num = 0;
  for (const g of pairGroups) {
    const [a, b] = groups.sets[g];
    num += angleDeg(pairMean(g), sumOf(a, b), `tagAngle (label set [${a}, ${b}])`);
  }
  num /= pairGroups.length;
  let den = 0;
  let count = 0;
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      const s = sumOf(i, j);
      for (const g of pairGroups) {
        den += angleDeg(s, pairMean(g), `tagAngle (μ_${i} + μ_${j})`);
        count++;
      }
    }
  }
  den /= count;
  // The denominator averages a superset of the numerator's angles, so den = 0 forces num = 0: perfect collapse.
  return den === 0 ? 0 : num / den;
}

/** Tag-wise scale of one label set: ρ̂_S and the direction error of h̄_S − μ_G against a_S. */
export interface TagScale {
  set: LabelSet;
  multiplicity: number;
  rho: number;
  directionErrorDeg: number;
}

/**
 * Tag-wise scale for every label set with 2 ≤ m < K: a_S = (1/m)Σ_{k∈S}(μ_k − μ_G),
 * ρ̂_S = ⟨h̄_S − μ_G, a_S⟩/‖a_S‖², and the angle between h̄_S − μ_G and a_S. Under the multi-label collapse of
 * Li et al. 2024 (h_S = ρ_m·(1/m)Σ_{k∈S} h_k) ρ̂_S = ρ_m and the angle is 0. Sets with m = K are skipped: there
 * a_S = 0 identically.
 * @example
 * // the same collapsed features: h_{0,1} = 1.5·(e_0 + e_1)/2, so ρ̂ = 1.5 with no direction error
 * const E = canonicalEtf(3).data;
 * const features = matrix(4, 3, Float64Array.of(...E, ...E.subarray(0, 3).map((v, t) => 0.75 * (v + E[3 + t]))));
 * const groups = groupByLabelSet([[0], [1], [2], [0, 1]], 3);
 * const setMeans = labelSetMeans(features, groups);
 * const cm = classMeansFromSetMeans(setMeans, groups);
 * const [pair] = tagScale(setMeans, groups, cm, globalMean(cm));
 * pair.set; // → [0, 1]
 * pair.rho; // ≈ 1.5000000
 */
export function tagScale(setMeans: Matrix, groups: LabelSetGroups, classMeansKd: Matrix, muG: ArrayLike<number>): TagScale[] {
  const { K } = groups;
  const d = setMeans.cols;
  checkShapes(setMeans, groups, classMeansKd, 'tagScale');
  if (muG.length !== d) throw new Error(`tagScale: global mean has length ${muG.length}, expected d = ${d}`);
  const mu = classMeansKd.data;
  const h = setMeans.data;
  const out: TagScale[] = [];
  const a = new Float64Array(d);
  const x = new Float64Array(d);
  groups.sets.forEach((S, g) => {
    const m = S.length;
    if (m < 2 || m >= K) return;
    a.fill(0);
    for (const k of S) for (let t = 0; t < d; t++) a[t] += mu[k * d + t] - muG[t];
    let aa = 0, xa = 0;
    for (let t = 0; t < d; t++) {
      a[t] /= m;
      x[t] = h[g * d + t] - muG[t];
      aa += a[t] * a[t];
      xa += x[t] * a[t];
    }
    if (aa === 0) throw new Error(`tagScale: the class means of label set [${S.join(', ')}] average to μ_G, ρ̂ is undefined`);
    out.push({
      set: S,
      multiplicity: m,
      rho: xa / aa,
      directionErrorDeg: angleDeg(x, a, `tagScale direction (label set [${S.join(', ')}])`),
    });
  });
  return out;
}

/** Mean, population standard deviation and count of ρ̂ per multiplicity, plus the mean direction error. */
export interface TagScaleSummary { mean: number; std: number; count: number; directionErrorDeg: number }

/**
 * The tag-wise scales grouped by multiplicity m: mean and population standard deviation of ρ̂, count and mean direction error.
 * @example
 * const m2 = summarizeTagScale([
 *   { set: [0, 1], multiplicity: 2, rho: 1.4, directionErrorDeg: 2 },
 *   { set: [0, 2], multiplicity: 2, rho: 1.6, directionErrorDeg: 4 },
 * ]).get(2);
 * m2?.mean; // ≈ 1.5000000
 * m2?.std; // ≈ 0.1000000
 * m2?.directionErrorDeg; // ≈ 3.0000000
 */
export function summarizeTagScale(scales: readonly TagScale[]): Map<number, TagScaleSummary> {
  const by = new Map<number, TagScale[]>();
  for (const s of scales) {
    const list = by.get(s.multiplicity);
    if (list) list.push(s); else by.set(s.multiplicity, [s]);
  }
  const out = new Map<number, TagScaleSummary>();
  for (const m of [...by.keys()].sort((p, q) => p - q)) {
    const list = by.get(m)!;
    const n = list.length;
    let mean = 0, dir = 0;
    for (const s of list) { mean += s.rho; dir += s.directionErrorDeg; }
    mean /= n;
    dir /= n;
    let v = 0;
    for (const s of list) v += (s.rho - mean) ** 2;
    out.set(m, { mean, std: Math.sqrt(v / n), count: n, directionErrorDeg: dir });
  }
  return out;
}

function checkShapes(setMeans: Matrix, groups: LabelSetGroups, cm: Matrix, who: string): void {
  if (setMeans.rows !== groups.sets.length) {
    throw new Error(`${who}: ${setMeans.rows} label-set means for ${groups.sets.length} label sets`);
  }
  if (cm.rows !== groups.K || cm.cols !== setMeans.cols) {
    throw new Error(`${who}: class means are ${cm.rows}×${cm.cols}, expected K×d = ${groups.K}×${setMeans.cols}`);
  }
}
