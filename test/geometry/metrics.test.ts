import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import { ncMetrics, type NcReport } from '../../src/geometry/index.js';
import { randomOrthogonal } from '../../src/geometry/orthogonal.js';
import { labelSet, type Matrix } from '../../src/geometry/types.js';
import { collapsed, matmul, noisy, scaled, subsetsOfSize } from './helpers.js';

const config = fc.record({
  K: fc.integer({ min: 3, max: 6 }),
  extra: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer(),
  with3: fc.boolean(),
});
const multsFor = (K: number, with3: boolean) => (with3 && K > 3 ? [2, 3] : [2]);

/** The numeric fields that must not change under a common rotation and scaling. */
const invariantFields = (r: NcReport) => [r.nc1, r.nc2W!, r.nc2H, r.nc2HUncentred, r.nc3!, r.tagAngle ?? 0,
  ...Object.values(r.rho).flatMap((s) => [s.mean, s.std, s.directionErrorDeg])];

describe('ncMetrics', () => {
  it('gives 0 on exactly collapsed configurations and ρ̂_m = m·γ_m/γ_1', () => {
    fc.assert(fc.property(config, ({ K, extra, seed, with3 }) => {
      const d = K - 1 + extra;
      const mults = multsFor(K, with3);
      const c = collapsed(K, d, mults, seed);
      const theoryRho: Record<string, number> = {};
      for (const m of mults) theoryRho[String(m)] = (m * c.gamma[m]) / c.gamma[1];
      const r = ncMetrics({ features: c.features, labels: c.labels, K, classifier: c.W, bias: new Float64Array(K), theoryRho });
      expect(r.nc1).toBeLessThan(1e-20);
      for (const v of [r.nc2W!, r.nc2H, r.nc2HUncentred, r.nc3!, r.tagAngle!]) {
        expect(v).not.toBeNaN();
        expect(v).toBeLessThan(1e-7);
      }
      expect(Object.keys(r.rho).sort()).toEqual(mults.map(String).sort());
      for (const m of mults) {
        const s = r.rho[String(m)];
        expect(s.mean).toBeCloseTo(theoryRho[String(m)], 10);
        expect(s.count).toBe(subsetsOfSize(K, m).length);
        expect(s.std).toBeLessThan(1e-10);
        expect(s.directionErrorDeg).toBeLessThan(1e-6);
        expect(s.relErr!).toBeLessThan(1e-10);
      }
      let wn = 0;
      for (let k = 0; k < K; k++) wn += Math.hypot(...c.W.data.subarray(k * d, (k + 1) * d)) / K;
      expect(r.wNorm).toBeCloseTo(wn, 12);
      expect(r.bNorm).toBe(0);
    }), { numRuns: 30, seed: 51 });
  });

  it('is invariant to a common rotation and positive scaling of features and classifier', () => {
    fc.assert(fc.property(config, fc.double({ min: 0.05, max: 20, noNaN: true }), fc.double({ min: 0.05, max: 20, noNaN: true }),
      ({ K, extra, seed, with3 }, cf, cw) => {
        const d = K - 1 + extra;
        const rng = new Rng(seed ^ 0x5bd1e995);
        const c = collapsed(K, d, multsFor(K, with3), seed);
        const features = noisy(c.features, 0.2, rng);
        const W = noisy(c.W, 0.2, rng);
        const O = randomOrthogonal(d, rng);
        const base = ncMetrics({ features, labels: c.labels, K, classifier: W });
        const moved = ncMetrics({ features: scaled(matmul(features, O), cf), labels: c.labels, K, classifier: scaled(matmul(W, O), cw) });
        const a = invariantFields(base), b = invariantFields(moved);
        a.forEach((x, i) => expect(b[i]).toBeCloseTo(x, 7));
        expect(moved.wNorm!).toBeCloseTo(cw * base.wNorm!, 9);
        expect(base.nc1).toBeGreaterThan(1e-4); // the noisy case is not trivially collapsed
      }), { numRuns: 30, seed: 52 });
  });

  it('centred metrics ignore a common translation of the features; the uncentred variant does not', () => {
    const K = 4, d = 5;
    const c = collapsed(K, d, [2], 7);
    const rng = new Rng(8);
    const features = noisy(c.features, 0.1, rng);
    const shift = rng.fillNormal(new Float64Array(d), 3);
    const moved = { rows: features.rows, cols: d, data: features.data.map((x, i) => x + shift[i % d]) };
    const a = ncMetrics({ features, labels: c.labels, K, classifier: c.W });
    const b = ncMetrics({ features: moved, labels: c.labels, K, classifier: c.W });
    expect(b.nc1).toBeCloseTo(a.nc1, 9);
    expect(b.nc2H).toBeCloseTo(a.nc2H, 9);
    expect(b.nc3!).toBeCloseTo(a.nc3!, 9);
    expect(b.rho['2'].mean).toBeCloseTo(a.rho['2'].mean, 9);
    expect(Math.abs(b.nc2HUncentred - a.nc2HUncentred)).toBeGreaterThan(1e-3);
  });

  it('float32 features give the float64 answer to float32 precision', () => {
    const c = collapsed(5, 6, [2, 3], 9);
    const features = noisy(c.features, 0.3, new Rng(10));
    const f32 = { rows: features.rows, cols: features.cols, data: Float32Array.from(features.data) };
    const a = ncMetrics({ features, labels: c.labels, K: 5, classifier: c.W });
    const b = ncMetrics({ features: f32, labels: c.labels, K: 5, classifier: c.W });
    const x = invariantFields(a), y = invariantFields(b);
    x.forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
  });

  it('reports null for what needs a classifier, bias or pairs, and a relative error only where theory is given', () => {
    const c = collapsed(4, 3, [3], 11);
    const bias = Float64Array.of(3, 4, 0, 0);
    const r = ncMetrics({ features: noisy(c.features, 0.1, new Rng(1)), labels: c.labels, K: 4, bias, theoryRho: { 2: 1.5 } });
    expect(r.nc2W).toBeNull();
    expect(r.nc3).toBeNull();
    expect(r.wNorm).toBeNull();
    expect(r.bNorm).toBe(5);
    expect(r.tagAngle).toBeNull();
    expect(Object.keys(r.rho)).toEqual(['3']);
    expect(r.rho['3'].relErr).toBeNull();
  });

  it('rejects bad input with one-line errors', () => {
    const c = collapsed(3, 2, [2], 12);
    const { features, labels, W } = c;
    const K = 3;
    const bad = (patch: Partial<Parameters<typeof ncMetrics>[0]>) => () => ncMetrics({ features, labels, K, ...patch });
    expect(bad({ labels: labels.slice(1) })).toThrow(/labels have length \d+ but features have N = \d+ rows/);
    expect(bad({ K: 4 })).toThrow(/class 3 has no multiplicity-1 sample/);
    expect(bad({ K: 2 })).toThrow(/not a class index in 0\.\.1/);
    expect(bad({ classifier: { rows: 4, cols: 2, data: new Float64Array(8) } })).toThrow(/classifier is 4×2, expected K×d = 3×2/);
    expect(bad({ classifier: { rows: 3, cols: 3, data: new Float64Array(9) } })).toThrow(/expected K×d/);
    expect(bad({ classifier: { ...W, data: W.data.map((x, i) => (i === 0 ? NaN : x)) } })).toThrow(/classifier has a non-finite entry/);
    expect(bad({ bias: [0, 0] })).toThrow(/bias has length 2, expected K = 3/);
    expect(bad({ bias: [0, Infinity, 0] })).toThrow(/bias has a non-finite/);
    expect(bad({ theoryRho: { 2: 0 } })).toThrow(/theoryRho\["2"\]/);
    expect(bad({ K: 1.5 })).toThrow(/K = 1.5/);
    for (const v of [NaN, Infinity, -Infinity]) {
      const f: Matrix = { rows: features.rows, cols: features.cols, data: features.data.map((x, i) => (i === 3 ? v : x)) };
      expect(bad({ features: f })).toThrow(/non-finite/);
    }
    const noSingles = [labelSet([0, 1]), labelSet([1, 2])];
    expect(() => ncMetrics({ features: { rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) }, labels: noSingles, K: 3 }))
      .toThrow(/class 0 has no multiplicity-1 sample/);
    expect(bad({ features: { rows: features.rows, cols: 2, data: new Float64Array(3) } })).toThrow(/entries, expected N×d/);
  });
});
