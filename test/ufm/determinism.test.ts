import { describe, expect, it } from 'vitest';
import { balancedDesign } from '../../src/ufm/design.js';
import { ufmObjective } from '../../src/ufm/objective.js';
import { solveUfmTheory } from '../../src/ufm/theory.js';
import { theoryPoint } from '../../src/ufm/theoryPoint.js';
import { minimizeLbfgs } from '../../src/ufm/lbfgs.js';
import { minimizeGradientDescent } from '../../src/ufm/gd.js';
import { randomUfmPoint } from '../../src/ufm/init.js';
import { Rng } from '../../src/util/rng.js';

function bytes(x: Float64Array): Buffer {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
}

describe('determinism', () => {
  const des = balancedDesign(4, { 1: 2, 2: 1, 3: 1 });
  const problem = { K: 4, d: 5, labels: des.labels, loss: 'pal' as const, lambdaW: 5e-3, lambdaH: 5e-3, lambdaB: 1e-2 };
  const obj = ufmObjective(problem);

  it('the same seed gives bitwise-identical starts, L-BFGS and Nesterov runs; another seed does not', () => {
    const run = (seed: number) => {
      const x0 = randomUfmPoint(problem, new Rng(seed));
      const l = minimizeLbfgs(obj.evaluate, x0, { tol: 1e-9 });
      const g = minimizeGradientDescent(obj.evaluate, x0, { step: 0.5, momentum: 0.9, maxIter: 200, tol: 0 });
      return { x0, l, g };
    };
    const a = run(7), b = run(7), c = run(8);
    expect(bytes(a.x0).equals(bytes(b.x0))).toBe(true);
    expect(bytes(a.l.x).equals(bytes(b.l.x))).toBe(true);
    expect(a.l.iterations).toBe(b.l.iterations);
    expect(Object.is(a.l.objective, b.l.objective)).toBe(true);
    expect(bytes(a.g.x).equals(bytes(b.g.x))).toBe(true);
    expect(bytes(a.x0).equals(bytes(c.x0))).toBe(false);
    expect(bytes(a.l.x).equals(bytes(c.l.x))).toBe(false);
  });

  it('the predicted point with a seeded orientation is reproducible', () => {
    const input = { K: 4, perSetCount: { 1: 2, 2: 1, 3: 1 }, loss: 'pal' as const, lambdaW: 5e-3, lambdaH: 5e-3 };
    const th = solveUfmTheory(input);
    const p1 = theoryPoint(th, des.labels, 6, new Rng(3));
    const p2 = theoryPoint(th, des.labels, 6, new Rng(3));
    expect(bytes(p1).equals(bytes(p2))).toBe(true);
    expect(solveUfmTheory(input)).toEqual(th);
  });
});
