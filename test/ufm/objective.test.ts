import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explicitDesign } from '../../src/ufm/design.js';
import { maxAbs, packUfm, ufmObjective, unpackUfm, type UfmProblem } from '../../src/ufm/objective.js';
import { palValue, type PalLoss } from '../../src/ufm/pal.js';
import { Rng } from '../../src/util/rng.js';
import { finiteDifferenceGradient } from './helpers.js';

/** A random small (possibly imbalanced) problem and a random point. */
const problemArb = fc
  .record({
    K: fc.integer({ min: 2, max: 5 }),
    d: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
    loss: fc.constantFrom<PalLoss>('pal', 'pal-n'),
    lambdaW: fc.constantFrom(0, 1e-3, 0.3),
    lambdaH: fc.constantFrom(0, 2e-3, 0.1),
    lambdaB: fc.constantFrom(0, 1e-2, 0.5),
    scale: fc.constantFrom(0.1, 1, 3),
  })
  .map((r) => {
    const rng = new Rng(r.seed);
    const sets: { set: number[]; count: number }[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < r.K; k++) if (k === 0 || rng.uniform() < 0.7) sets.push({ set: [k], count: 1 + rng.int(3) });
    for (let t = 0; t < 4; t++) {
      const S = [...new Set(Array.from({ length: 1 + rng.int(r.K) }, () => rng.int(r.K)))].sort((a, b) => a - b);
      const key = S.join(',');
      if (S.length > 1 && !seen.has(key)) {
        seen.add(key);
        sets.push({ set: S, count: 1 + rng.int(2) });
      }
    }
    const des = explicitDesign(r.K, sets);
    const problem: UfmProblem = { K: r.K, d: r.d, labels: des.labels, loss: r.loss, lambdaW: r.lambdaW, lambdaH: r.lambdaH, lambdaB: r.lambdaB };
    const obj = ufmObjective(problem);
    const x = rng.fillNormal(new Float64Array(obj.size), r.scale);
    return { problem, obj, x };
  });

describe('UFM objective', () => {
  it('gradient matches central finite differences (both losses, imbalanced designs)', () => {
    fc.assert(
      fc.property(problemArb, ({ obj, x }) => {
        const g = new Float64Array(obj.size);
        obj.evaluate(x, g);
        const fd = finiteDifferenceGradient(obj.evaluate, x);
        for (let j = 0; j < x.length; j++) expect(Math.abs(fd[j] - g[j])).toBeLessThan(1e-7 * (1 + Math.abs(g[j])));
      }),
      { numRuns: 20, seed: 31 },
    );
  });

  it('value equals the formula (1/N)Σ c_m PAL(W h_i + b, S_i) + λ/2 norms, computed naively', () => {
    fc.assert(
      fc.property(problemArb, ({ problem, obj, x }) => {
        const { K, d, labels } = problem;
        const N = labels.length;
        const { W, H, b } = unpackUfm(problem, N, x);
        let loss = 0;
        for (let i = 0; i < N; i++) {
          const z = Array.from({ length: K }, (_, k) => {
            let s = b[k];
            for (let t = 0; t < d; t++) s += W.data[k * d + t] * H.data[i * d + t];
            return s;
          });
          loss += palValue(z, labels[i], problem.loss) / N;
        }
        const sq = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);
        const expected = loss + (problem.lambdaW * sq(W.data) + problem.lambdaH * sq(H.data) + problem.lambdaB * sq(b)) / 2;
        expect(obj.value(x)).toBeCloseTo(expected, 10);
      }),
      { numRuns: 20, seed: 32 },
    );
  });

  it('pack and unpack are inverse, with W, H (features layout), b in that order', () => {
    const K = 3, d = 2, N = 4;
    const x = Float64Array.from({ length: K * d + N * d + K }, (_, i) => i);
    const { W, H, b } = unpackUfm({ K, d }, N, x);
    expect(W.rows).toBe(3); expect(H.rows).toBe(4); expect(H.cols).toBe(2);
    expect(W.data[0]).toBe(0); expect(H.data[0]).toBe(6); expect(b[0]).toBe(14);
    expect(packUfm(W, H, b)).toEqual(x);
  });

  it('non-finite input gives a non-finite objective the caller can detect, never an exception or a silent number', () => {
    const des = explicitDesign(3, [{ set: [0], count: 2 }, { set: [1, 2], count: 1 }]);
    const obj = ufmObjective({ K: 3, d: 2, labels: des.labels, loss: 'pal', lambdaW: 1e-3, lambdaH: 1e-3, lambdaB: 0 });
    const g = new Float64Array(obj.size);
    const x = new Float64Array(obj.size);
    x[7] = Number.NaN;
    expect(Number.isFinite(obj.evaluate(x, g))).toBe(false);
    x[7] = Infinity;
    expect(Number.isFinite(obj.evaluate(x, g))).toBe(false);
    expect(maxAbs(Float64Array.of(1, Number.NaN, 2))).toBeNaN();
    // Huge but finite logits stay finite (stable log-sum-exp).
    x[7] = 0;
    x.fill(300);
    expect(Number.isFinite(obj.evaluate(x, g))).toBe(true);
  });

  it('rejects malformed problems with a clear message', () => {
    const labels = [[0], [1]];
    const base = { K: 2, d: 2, labels, loss: 'pal' as PalLoss, lambdaW: 0, lambdaH: 0, lambdaB: 0 };
    expect(() => ufmObjective({ ...base, K: 1 })).toThrow(/K must be an integer ≥ 2/);
    expect(() => ufmObjective({ ...base, d: 0 })).toThrow(/d must be a positive integer/);
    expect(() => ufmObjective({ ...base, labels: [] })).toThrow(/no samples/);
    expect(() => ufmObjective({ ...base, lambdaH: -1 })).toThrow(/lambdaH must be a finite number ≥ 0/);
    expect(() => ufmObjective({ ...base, labels: [[0], [2]] })).toThrow(/sample 1 has label 2/);
    expect(() => ufmObjective({ ...base, labels: [[0], [1, 0]] })).toThrow(/unsorted or repeated/);
    expect(() => ufmObjective({ ...base, labels: [[0], []] })).toThrow(/empty label set/);
    expect(() => ufmObjective({ ...base, loss: 'x' as PalLoss })).toThrow(/unknown loss/);
    const obj = ufmObjective(base);
    expect(() => obj.evaluate(new Float64Array(3), new Float64Array(3))).toThrow(/must have length 10/);
  });
});
