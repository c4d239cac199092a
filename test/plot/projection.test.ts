import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classMeanProjection, labelSetMeans, project, setKey, topEigenvectors } from '../../src/plot/projection.js';
import { Rng } from '../../src/util/rng.js';

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('top eigenvectors by power iteration', () => {
  it('finds the two largest eigenpairs of a diagonal matrix', () => {
    const { values, vectors } = topEigenvectors([[1, 0, 0], [0, 5, 0], [0, 0, 3]], 2);
    expect(values[0]).toBeCloseTo(5, 10);
    expect(values[1]).toBeCloseTo(3, 10);
    expect(Math.abs(vectors[0][1])).toBeCloseTo(1, 10);
    expect(Math.abs(vectors[1][2])).toBeCloseTo(1, 10);
  });

  it('returns eigenpairs (A v = λ v) of random Gram matrices', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 8 }), fc.integer(), (n, d, seed) => {
      const rng = new Rng(seed);
      const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
      const A = X.map((a) => X.map((b) => dot(a, b)));
      const { values, vectors } = topEigenvectors(A, 1, 5000);
      const Av = A.map((r) => dot(r, vectors[0]));
      const err = Math.sqrt(Av.reduce((s, v, i) => s + (v - values[0] * vectors[0][i]) ** 2, 0));
      // the largest eigenvalue dominates every diagonal entry's average; residual small relative to it
      return err <= 1e-6 * values[0] && values[0] >= Math.max(...A.map((r, i) => r[i])) - 1e-9;
    }), { numRuns: 40, seed: 11 });
  });
});

describe('class-mean projection', () => {
  it('is an isometry of three class means (they span a plane) and orients class 0 on +u₁', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 9 }), fc.integer(), (d, seed) => {
      const rng = new Rng(seed);
      const means = [0, 1, 2].map(() => Array.from({ length: d }, () => rng.normal()));
      const p = classMeanProjection(means);
      const xy = means.map((m) => project(p, m));
      for (let a = 0; a < 3; a++) {
        for (let b = a + 1; b < 3; b++) {
          const dist = Math.hypot(...means[a].map((v, j) => v - means[b][j]));
          const pd = Math.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1]);
          if (Math.abs(dist - pd) > 1e-8 * (1 + dist)) return false;
        }
      }
      return Math.abs(p.captured - 1) < 1e-9 && xy[0][0] >= 0 && xy[1][1] >= -1e-12
        && Math.abs(dot(p.u1, p.u2)) < 1e-9 && Math.abs(dot(p.u1, p.u1) - 1) < 1e-9;
    }), { numRuns: 40, seed: 12 });
  });

  it('falls back to an orthogonal direction when the means are collinear', () => {
    const p = classMeanProjection([[1, 0, 0], [-1, 0, 0], [0, 0, 0]]);
    expect(Math.abs(dot(p.u1, p.u2))).toBeLessThan(1e-12);
    expect(project(p, [1, 0, 0])[0]).toBeCloseTo(1, 12);
  });

  it('groups means by label set, order-independently', () => {
    expect(setKey([2, 0])).toBe('0,2');
    const m = labelSetMeans([[0, 0], [2, 4], [1, 1]], [[0], [0], [1, 0]]);
    expect(m.get('0')).toEqual([1, 2]);
    expect(m.get('0,1')).toEqual([1, 1]);
  });
});
