import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { minimizeLbfgs } from '../../src/ufm/lbfgs.js';
import { NonFiniteObjectiveError } from '../../src/ufm/errors.js';
import type { ObjectiveFunction } from '../../src/ufm/objective.js';

/** Rosenbrock in n dimensions: Σ 100(x_{j+1} − x_j²)² + (1 − x_j)², minimum 0 at (1, …, 1). */
const rosenbrock: ObjectiveFunction = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let j = 0; j + 1 < x.length; j++) {
    const a = x[j + 1] - x[j] * x[j];
    const b = 1 - x[j];
    f += 100 * a * a + b * b;
    g[j] += -400 * a * x[j] - 2 * b;
    g[j + 1] += 200 * a;
  }
  return f;
};

describe('L-BFGS', () => {
  it('minimises Rosenbrock to max|∇| ≤ 1e-9 from random starts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }).chain((n) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n })),
        (start) => {
          const r = minimizeLbfgs(rosenbrock, Float64Array.from(start), { tol: 1e-9 });
          // n ≥ 4 Rosenbrock has a second local minimiser near (−1, 1, …, 1); both are stationary points.
          expect(r.stopReason).toBe('tolerance');
          expect(r.maxAbsGrad).toBeLessThanOrEqual(1e-9);
          const g = new Float64Array(start.length);
          expect(rosenbrock(r.x, g)).toBe(r.objective);
          if (r.x[0] > 0) for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-8);
        },
      ),
      { numRuns: 20, seed: 41 },
    );
  });

  it('solves an ill-conditioned quadratic exactly to the tolerance', () => {
    const a = Float64Array.from({ length: 30 }, (_, j) => 10 ** ((6 * j) / 29)); // condition number 1e6
    const f: ObjectiveFunction = (x, g) => {
      let v = 0;
      for (let j = 0; j < x.length; j++) {
        v += 0.5 * a[j] * (x[j] - 1) ** 2;
        g[j] = a[j] * (x[j] - 1);
      }
      return v;
    };
    const r = minimizeLbfgs(f, new Float64Array(30), { tol: 1e-10, history: 20 });
    expect(r.stopReason).toBe('tolerance');
    for (let j = 0; j < 30; j++) expect(Math.abs(r.x[j] - 1) * a[j]).toBeLessThanOrEqual(1e-10);
  });

  it('reports max-iter, never modifies the start, and reports progress', () => {
    const x0 = Float64Array.of(-1.2, 1);
    const seen: number[] = [];
    const r = minimizeLbfgs(rosenbrock, x0, { maxIter: 3, onIteration: (info) => seen.push(info.iteration) });
    expect(r.stopReason).toBe('max-iter');
    expect(r.iterations).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(Array.from(x0)).toEqual([-1.2, 1]);
    expect(r.evaluations).toBeGreaterThanOrEqual(4);
  });

  it('backs off from steps into a region where f is non-finite', () => {
    // f(x) = −2x − log(1 − x) on x < 1 (NaN beyond, +∞ at 1): minimiser x = 1/2. The first trial step reaches x = 1.
    const f: ObjectiveFunction = (x, g) => {
      g[0] = -2 + 1 / (1 - x[0]);
      return -2 * x[0] - Math.log(1 - x[0]);
    };
    const r = minimizeLbfgs(f, Float64Array.of(0), { tol: 1e-12 });
    expect(r.stopReason).toBe('tolerance');
    expect(r.x[0]).toBeCloseTo(0.5, 12);
  });

  it('throws NonFiniteObjectiveError when the start is not finite', () => {
    const f: ObjectiveFunction = (x, g) => {
      g[0] = 1;
      return x[0] < 0 ? Number.NaN : x[0];
    };
    expect(() => minimizeLbfgs(f, Float64Array.of(-1))).toThrow(NonFiniteObjectiveError);
    expect(() => minimizeLbfgs(f, Float64Array.of(-1))).toThrow(/objective is NaN at iteration 0/);
  });

  it('reports no-progress when f cannot decrease although the gradient is not small', () => {
    // A wrong gradient: no step along −g lowers f.
    const f: ObjectiveFunction = (x, g) => {
      g[0] = -1;
      return x[0] * x[0];
    };
    const r = minimizeLbfgs(f, Float64Array.of(1));
    expect(r.stopReason).toBe('no-progress');
  });

  it('rejects bad options', () => {
    const f: ObjectiveFunction = (x, g) => ((g[0] = 2 * x[0]), x[0] * x[0]);
    expect(() => minimizeLbfgs(f, Float64Array.of(1), { history: 0 })).toThrow(/history must be a positive integer/);
    expect(() => minimizeLbfgs(f, Float64Array.of(1), { tol: -1 })).toThrow(/tol must be ≥ 0/);
    expect(() => minimizeLbfgs(f, Float64Array.of(1), { c1: 0.95 })).toThrow(/0 < c1 < c2 < 1/);
  });
});
