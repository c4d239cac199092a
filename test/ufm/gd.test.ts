import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { minimizeGradientDescent } from '../../src/ufm/gd.js';
import { NonFiniteObjectiveError } from '../../src/ufm/errors.js';
import { ufmObjective, type ObjectiveFunction } from '../../src/ufm/objective.js';
import { balancedDesign } from '../../src/ufm/design.js';
import { solveUfmTheory } from '../../src/ufm/theory.js';
import { randomUfmPoint } from '../../src/ufm/init.js';
import { Rng } from '../../src/util/rng.js';
import { relDiff } from './helpers.js';

/** f(x) = ½ Σ a_j x_j². */
function quadratic(a: Float64Array): ObjectiveFunction {
  return (x, g) => {
    let v = 0;
    for (let j = 0; j < x.length; j++) {
      v += 0.5 * a[j] * x[j] * x[j];
      g[j] = a[j] * x[j];
    }
    return v;
  };
}

describe('gradient descent', () => {
  it('plain steps follow the closed form x_t = (1 − η a)^t x_0 on a quadratic', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 40 }),
        (aList, t) => {
          const a = Float64Array.from(aList);
          const step = 0.9 / Math.max(...aList);
          const x0 = Float64Array.from(aList, (_, j) => 1 + j);
          const r = minimizeGradientDescent(quadratic(a), x0, { step, maxIter: t, tol: 0 });
          expect(r.iterations).toBe(t);
          expect(r.stopReason).toBe('max-iter');
          for (let j = 0; j < a.length; j++) {
            const expected = (1 - step * a[j]) ** t * x0[j];
            expect(Math.abs(r.x[j] - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(x0[j])));
          }
        },
      ),
      { numRuns: 20, seed: 51 },
    );
  });

  it('Nesterov momentum reaches the tolerance in fewer steps on an ill-conditioned quadratic', () => {
    const a = Float64Array.from({ length: 10 }, (_, j) => 10 ** ((3 * j) / 9)); // condition number 1000
    const x0 = new Float64Array(10).fill(1);
    const step = 1 / 1000;
    const plain = minimizeGradientDescent(quadratic(a), x0, { step, tol: 1e-8, maxIter: 100_000 });
    const nesterov = minimizeGradientDescent(quadratic(a), x0, { step, momentum: 0.9, tol: 1e-8, maxIter: 100_000 });
    expect(plain.stopReason).toBe('tolerance');
    expect(nesterov.stopReason).toBe('tolerance');
    expect(nesterov.maxAbsGrad).toBeLessThanOrEqual(1e-8);
    expect(nesterov.iterations).toBeLessThan(plain.iterations / 3);
  });

  it('calls back every k iterations, starting at iteration 0', () => {
    const seen: number[] = [];
    minimizeGradientDescent(quadratic(Float64Array.of(1)), Float64Array.of(1), {
      step: 0.01, maxIter: 12, tol: 0, every: 5, onIteration: (info) => seen.push(info.iteration),
    });
    expect(seen).toEqual([0, 5, 10]);
  });

  it('throws NonFiniteObjectiveError when a too-large step diverges', () => {
    const run = () => minimizeGradientDescent(quadratic(Float64Array.of(1)), Float64Array.of(1), { step: 3, maxIter: 10_000 });
    expect(run).toThrow(NonFiniteObjectiveError);
    expect(run).toThrow(/diverged/);
  });

  it('on a UFM: plain steps decrease f monotonically, Nesterov reaches the theory optimum', () => {
    const K = 4, d = 6, perSetCount = { 1: 3, 2: 2 }, lambda = 5e-3;
    const des = balancedDesign(K, perSetCount);
    const problem = { K, d, labels: des.labels, loss: 'pal' as const, lambdaW: lambda, lambdaH: lambda, lambdaB: 1e-2 };
    const obj = ufmObjective(problem);
    const x0 = randomUfmPoint(problem, new Rng(1));
    const values: number[] = [];
    minimizeGradientDescent(obj.evaluate, x0, { step: 0.5, maxIter: 300, tol: 0, onIteration: (info) => values.push(info.objective) });
    for (let t = 1; t < values.length; t++) expect(values[t]).toBeLessThanOrEqual(values[t - 1]);
    const r = minimizeGradientDescent(obj.evaluate, x0, { step: 1, momentum: 0.9, tol: 1e-8, maxIter: 5000 });
    expect(r.stopReason).toBe('tolerance');
    const th = solveUfmTheory({ K, perSetCount, loss: 'pal', lambdaW: lambda, lambdaH: lambda });
    expect(relDiff(r.objective, th.objective)).toBeLessThan(1e-10);
  });

  it('rejects bad options', () => {
    const f = quadratic(Float64Array.of(1));
    expect(() => minimizeGradientDescent(f, Float64Array.of(1), { step: 0 })).toThrow(/step must be a positive number/);
    expect(() => minimizeGradientDescent(f, Float64Array.of(1), { step: 0.1, momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => minimizeGradientDescent(f, Float64Array.of(1), { step: 0.1, every: 0 })).toThrow(/every must be a positive integer/);
  });
});
