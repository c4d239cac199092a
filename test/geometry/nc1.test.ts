import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Matrix as MlMatrix, pseudoInverse } from 'ml-matrix';
import { Rng } from '../../src/util/rng.js';
import { nc1 } from '../../src/geometry/nc1.js';
import { groupByLabelSet } from '../../src/geometry/labelSets.js';
import { labelSet, type LabelSet, type Matrix } from '../../src/geometry/types.js';
import { collapsed } from './helpers.js';

/**
 * Textbook NC1 = tr(Σ_W Σ_B⁺)/K over multiplicity-1 samples with d×d scatter matrices and an SVD pseudo-inverse
 * (Papyan, Han, Donoho 2020). Test-only reference: it forms d×d matrices, which the library never does.
 */
function textbookNc1(features: Matrix, labels: readonly LabelSet[], K: number): number {
  const { rows: N, cols: d, data } = features;
  const mu = Array.from({ length: K }, () => new Float64Array(d));
  const n = new Array<number>(K).fill(0);
  for (let i = 0; i < N; i++) {
    if (labels[i].length !== 1) continue;
    const k = labels[i][0];
    n[k]++;
    for (let t = 0; t < d; t++) mu[k][t] += data[i * d + t];
  }
  mu.forEach((m, k) => m.forEach((_, t) => { m[t] /= n[k]; }));
  const muG = new Float64Array(d);
  for (const m of mu) for (let t = 0; t < d; t++) muG[t] += m[t] / K;
  const SW = new MlMatrix(d, d);
  let n1 = 0;
  for (let i = 0; i < N; i++) {
    if (labels[i].length !== 1) continue;
    n1++;
    const k = labels[i][0];
    for (let a = 0; a < d; a++) {
      const x = data[i * d + a] - mu[k][a];
      for (let b = 0; b < d; b++) SW.set(a, b, SW.get(a, b) + x * (data[i * d + b] - mu[k][b]));
    }
  }
  const SB = new MlMatrix(d, d);
  for (const m of mu) {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) SB.set(a, b, SB.get(a, b) + (m[a] - muG[a]) * (m[b] - muG[b]) / K);
  }
  const P = SW.div(n1).mmul(pseudoInverse(SB));
  let tr = 0;
  for (let a = 0; a < d; a++) tr += P.get(a, a);
  return tr / K;
}

/** Random multi-label data: class means spread by `sep`, within-class noise 1, a few multi-label samples. */
function randomProblem(K: number, d: number, seed: number, sep: number) {
  const rng = new Rng(seed);
  const means = Array.from({ length: K }, () => rng.fillNormal(new Float64Array(d), sep));
  const labels: LabelSet[] = [];
  const rows: number[] = [];
  for (let k = 0; k < K; k++) {
    const nk = 2 + rng.int(4);
    for (let r = 0; r < nk; r++) {
      labels.push(labelSet([k]));
      for (let t = 0; t < d; t++) rows.push(means[k][t] + rng.normal());
    }
  }
  for (let r = 0; r < 3; r++) {
    labels.push(labelSet([0, 1]));
    for (let t = 0; t < d; t++) rows.push(rng.normal() * 10);
  }
  return { features: { rows: labels.length, cols: d, data: Float64Array.from(rows) }, labels };
}

describe('nc1 (K×K eigen route)', () => {
  it('equals the textbook d×d pseudo-inverse NC1 on random problems, also when d < K−1', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer(),
      fc.double({ min: 0.3, max: 5, noNaN: true }), (K, d, seed, sep) => {
        const { features, labels } = randomProblem(K, d, seed, sep);
        const ours = nc1(features, groupByLabelSet(labels, K));
        const ref = textbookNc1(features, labels, K);
        expect(ours).toBeGreaterThanOrEqual(0);
        expect(Math.abs(ours - ref)).toBeLessThan(1e-7 * Math.max(1, ref));
      }), { numRuns: 60, seed: 31 });
  });

  it('ignores multi-label samples', () => {
    const { features, labels } = randomProblem(4, 5, 9, 2);
    const single = labels.map((s, i) => [s, i] as const).filter(([s]) => s.length === 1).map(([, i]) => i);
    const d = features.cols;
    const sub = { rows: single.length, cols: d, data: Float64Array.from(single.flatMap((i) => Array.from(features.data.subarray(i * d, (i + 1) * d)))) };
    expect(nc1(features, groupByLabelSet(labels, 4))).toBeCloseTo(nc1(sub, groupByLabelSet(single.map((i) => labels[i]), 4)), 12);
  });

  it('is exactly 0 with zero within-class scatter (float64 and float32 features)', () => {
    const c = collapsed(5, 6, [2], 3, 3);
    expect(nc1(c.features, groupByLabelSet(c.labels, 5))).toBeLessThan(1e-28);
    const f32 = { rows: c.features.rows, cols: c.features.cols, data: Float32Array.from(c.features.data) };
    expect(nc1(f32, groupByLabelSet(c.labels, 5))).toBe(0);
  });

  it('throws when all class means coincide, when a class has no single-label sample, and on N mismatch', () => {
    const labels = [labelSet([0]), labelSet([1]), labelSet([0, 1])];
    const same = { rows: 3, cols: 2, data: Float64Array.of(1, 1, 1, 1, 5, 5) };
    expect(() => nc1(same, groupByLabelSet(labels, 2))).toThrow(/class means coincide/);
    expect(() => nc1(same, groupByLabelSet(labels, 3))).toThrow(/class 2 has no multiplicity-1 sample/);
    expect(() => nc1(same, groupByLabelSet(labels.slice(0, 2), 2))).toThrow(/labels have length 2 but features have N = 3/);
  });
});
