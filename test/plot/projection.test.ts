import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/geometry/types.js';
import { classMeanProjection, project } from '../../src/plot/projection.js';
import { Rng } from '../../src/util/rng.js';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
const rowsMatrix = (rows: readonly (readonly number[])[]) => matrix(rows.length, rows[0].length, Float64Array.from(rows.flat()));
const randomRows = (n: number, d: number, rng: Rng) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));

describe('classMeanProjection', () => {
  it('keeps every distance between three class means (they span a plane) and puts class 0 on the +u₁ axis', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 9 }), fc.integer(), (d, seed) => {
      const means = randomRows(3, d, new Rng(seed));
      const p = classMeanProjection(rowsMatrix(means));
      const xy = means.map((m) => project(p, m));
      for (let a = 0; a < 3; a++) {
        for (let b = a + 1; b < 3; b++) {
          const dist = Math.hypot(...means[a].map((v, j) => v - means[b][j]));
          const pd = Math.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1]);
          if (Math.abs(dist - pd) > 1e-8 * (1 + dist)) return false;
        }
      }
      return Math.abs(p.captured - 1) < 1e-9 && xy[0][0] > 0 && Math.abs(xy[0][1]) < 1e-9 && xy[1][1] >= -1e-12
        && Math.abs(dot(p.u1, p.u2)) < 1e-9 && Math.abs(dot(p.u1, p.u1) - 1) < 1e-9 && Math.abs(dot(p.u2, p.u2) - 1) < 1e-9;
    }), { numRuns: 40, seed: 12 });
  });

  it('captures at least as much of K > 3 centred means as the plane of any two of them (the top-2 principal plane)', () => {
    fc.assert(fc.property(fc.integer({ min: 4, max: 7 }), fc.integer({ min: 4, max: 9 }), fc.integer(), (K, d, seed) => {
      const means = randomRows(K, d, new Rng(seed));
      const p = classMeanProjection(rowsMatrix(means));
      const mu = means[0].map((_, j) => means.reduce((s, m) => s + m[j], 0) / K);
      const centred = means.map((m) => m.map((v, j) => v - mu[j]));
      const total = centred.reduce((s, m) => s + dot(m, m), 0);
      // Oracle: the squared norm kept by the orthonormalised plane of centred means a and b.
      const keptBy = (a: number, b: number) => {
        const e1 = centred[a].map((v) => v / Math.sqrt(dot(centred[a], centred[a])));
        const r = centred[b].map((v, j) => v - dot(centred[b], e1) * e1[j]);
        const e2 = r.map((v) => v / Math.sqrt(dot(r, r)));
        return centred.reduce((s, m) => s + dot(m, e1) ** 2 + dot(m, e2) ** 2, 0) / total;
      };
      for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) if (keptBy(a, b) > p.captured + 1e-9) return false;
      return p.captured <= 1 + 1e-12;
    }), { numRuns: 30, seed: 13 });
  });

  it('orients an exact simplex ETF the same way however it is rotated in feature space (tied eigenvalues)', () => {
    const etf = [0, 1, 2].map((k) => [Math.cos((2 * Math.PI * k) / 3), Math.sin((2 * Math.PI * k) / 3), 0, 0]);
    const rng = new Rng(5);
    for (let trial = 0; trial < 5; trial++) {
      // a random rotation of R⁴ (Gram–Schmidt on a Gaussian matrix)
      const Q: number[][] = [];
      for (const g of randomRows(4, 4, rng)) {
        let v = g;
        for (const q of Q) v = v.map((x, j) => x - dot(g, q) * q[j]);
        Q.push(v.map((x) => x / Math.sqrt(dot(v, v))));
      }
      const rotated = etf.map((m) => Q.map((q) => dot(q, m)));
      const p = classMeanProjection(rowsMatrix(rotated));
      const xy = rotated.map((m) => project(p, m));
      [[1, 0], [-0.5, Math.sqrt(3) / 2], [-0.5, -Math.sqrt(3) / 2]].forEach(([x, y], k) => {
        expect(xy[k][0]).toBeCloseTo(x, 12);
        expect(xy[k][1]).toBeCloseTo(y, 12);
      });
    }
  });

  it('completes the plane with an orthogonal direction when the means are collinear', () => {
    const p = classMeanProjection(rowsMatrix([[1, 0, 0], [-1, 0, 0], [0, 0, 0]]));
    expect(Math.abs(dot(p.u1, p.u2))).toBeLessThan(1e-12);
    expect(project(p, [1, 0, 0])[0]).toBeCloseTo(1, 12);
    expect(p.captured).toBeCloseTo(1, 12);
  });

  it('rejects one-dimensional features with a FigureDataError', () => {
    expect(() => classMeanProjection(rowsMatrix([[1], [2], [3]]))).toThrow(/at least 2 dimensions/);
  });
});
