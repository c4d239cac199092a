import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import { groupByLabelSet } from '../../src/geometry/labelSets.js';
import { classMeansFromSetMeans, globalMean, labelSetMeans } from '../../src/geometry/means.js';
import { summarizeTagScale, tagAngle, tagScale } from '../../src/geometry/tagwise.js';
import { angleDeg } from '../../src/geometry/angle.js';
import { labelSet, type LabelSet, type Matrix } from '../../src/geometry/types.js';
import { collapsed, noisy } from './helpers.js';

const arccosDeg = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return (Math.acos(Math.min(1, Math.max(-1, ab / Math.sqrt(aa * bb)))) * 180) / Math.PI;
};

function prepare(features: Matrix, labels: readonly LabelSet[], K: number) {
  const groups = groupByLabelSet(labels, K);
  const setMeans = labelSetMeans(features, groups);
  const cm = classMeansFromSetMeans(setMeans, groups);
  return { groups, setMeans, cm, muG: globalMean(cm) };
}

describe('angleDeg', () => {
  it('agrees with the clamped arccos and stays accurate at 0 and 180 degrees', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer(), (n, seed) => {
      const rng = new Rng(seed);
      const a = rng.fillNormal(new Float64Array(n)), b = rng.fillNormal(new Float64Array(n));
      expect(angleDeg(a, b)).toBeCloseTo(arccosDeg(a, b), 6);
      expect(angleDeg(a, a.map((x) => 3 * x))).toBeLessThan(1e-12); // arccos would only give ~1e-6 here
      expect(angleDeg(a, a.map((x) => -2 * x))).toBeCloseTo(180, 12);
    }), { numRuns: 30, seed: 41 });
    expect(() => angleDeg([0, 0], [1, 0])).toThrow(/zero/);
  });
});

describe('tagAngle (public-code metric, multiplicity 2)', () => {
  it('matches a direct per-pair arccos computation on random features', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 6 }), fc.integer({ min: 2, max: 7 }), fc.integer(), (K, d, seed) => {
      const rng = new Rng(seed);
      const labels: LabelSet[] = [];
      for (let k = 0; k < K; k++) for (let r = 0; r < 2; r++) labels.push(labelSet([k]));
      const pairs: [number, number][] = [];
      for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) if (rng.uniform() < 0.6 || pairs.length === 0) pairs.push([a, b]);
      for (const [a, b] of pairs) for (let r = 0; r < 1 + rng.int(3); r++) labels.push(labelSet([a, b]));
      const features = { rows: labels.length, cols: d, data: rng.fillNormal(new Float64Array(labels.length * d)) };
      const { groups, setMeans, cm } = prepare(features, labels, K);
      // Direct: means by brute force, then angles exactly as the public code describes.
      const meanOf = (S: number[]) => {
        const m = new Float64Array(d);
        let n = 0;
        labels.forEach((L, i) => {
          if (L.length === S.length && L.every((x, j) => x === S[j])) { n++; for (let t = 0; t < d; t++) m[t] += features.data[i * d + t]; }
        });
        return m.map((x) => x / n);
      };
      const mu = Array.from({ length: K }, (_, k) => meanOf([k]));
      const sum = (a: number, b: number) => mu[a].map((x, t) => x + mu[b][t]);
      const theta = pairs.map(([a, b]) => arccosDeg(meanOf([a, b]), sum(a, b)));
      const all: number[] = [];
      for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) for (const [a, b] of pairs) all.push(arccosDeg(sum(i, j), meanOf([a, b])));
      const expected = (theta.reduce((p, q) => p + q, 0) / theta.length) / (all.reduce((p, q) => p + q, 0) / all.length);
      expect(tagAngle(setMeans, groups, cm)).toBeCloseTo(expected, 7);
    }), { numRuns: 40, seed: 42 });
  });

  it('is 0 (not NaN) on collapsed features, null without pairs, and scale-blind', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.integer(), (K, extra, seed) => {
      const c = collapsed(K, K - 1 + extra, [2], seed);
      const { groups, setMeans, cm } = prepare(c.features, c.labels, K);
      const v = tagAngle(setMeans, groups, cm);
      expect(v).not.toBeNaN();
      expect(v).toBeLessThan(1e-7);
      const n = prepare(noisy(c.features, 0.3, new Rng(seed)), c.labels, K);
      const base = tagAngle(n.setMeans, n.groups, n.cm)!;
      expect(base).toBeGreaterThan(1e-4);
      const big = { rows: n.setMeans.rows, cols: n.setMeans.cols, data: n.setMeans.data.map((x) => 7 * x) };
      const bigCm = { rows: n.cm.rows, cols: n.cm.cols, data: n.cm.data.map((x) => 7 * x) };
      expect(tagAngle(big, n.groups, bigCm)).toBeCloseTo(base, 10);
    }), { numRuns: 25, seed: 43 });
    const single = collapsed(3, 2, [], 1);
    const p = prepare(single.features, single.labels, 3);
    expect(tagAngle(p.setMeans, p.groups, p.cm)).toBeNull();
  });
});

describe('tagScale (ρ̂ and direction error, every multiplicity)', () => {
  it('recovers ρ_m = m·γ_m/γ_1 with zero direction error on collapsed configurations; skips m = K', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.integer(), fc.boolean(),
      (K, extra, seed, withFull) => {
        const mults = [2, 3].filter((m) => m < K);
        if (withFull) mults.push(K);
        const c = collapsed(K, K - 1 + extra, mults, seed);
        const { groups, setMeans, cm, muG } = prepare(c.features, c.labels, K);
        const scales = tagScale(setMeans, groups, cm, muG);
        expect(scales.every((s) => s.multiplicity < K)).toBe(true);
        for (const s of scales) {
          const m = s.multiplicity;
          expect(s.rho).toBeCloseTo((m * c.gamma[m]) / c.gamma[1], 10);
          expect(s.directionErrorDeg).toBeLessThan(1e-6);
        }
        const summary = summarizeTagScale(scales);
        expect([...summary.keys()]).toEqual(mults.filter((m) => m < K));
        for (const [m, s] of summary) {
          expect(s.count).toBe(groups.multiplicity.filter((x) => x === m).length);
          expect(s.std).toBeLessThan(1e-10);
        }
      }), { numRuns: 30, seed: 44 });
  });

  it('reads off a known scale and angle: h̄_S − μ_G = ρ·a_S + z with z ⊥ a_S, ‖z‖ = tan θ·ρ‖a_S‖', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 6 }), fc.integer(), fc.double({ min: 0.2, max: 3, noNaN: true }),
      fc.double({ min: 1, max: 80, noNaN: true }), (K, seed, rho, thetaDeg) => {
        const d = K + 2;
        const rng = new Rng(seed);
        const mu = Array.from({ length: K }, () => rng.fillNormal(new Float64Array(d)));
        const muG = new Float64Array(d);
        for (const m of mu) for (let t = 0; t < d; t++) muG[t] += m[t] / K;
        const a = new Float64Array(d);
        for (let t = 0; t < d; t++) a[t] = (mu[0][t] + mu[1][t]) / 2 - muG[t];
        const z = rng.fillNormal(new Float64Array(d));
        const za = z.reduce((s, x, t) => s + x * a[t], 0) / a.reduce((s, x) => s + x * x, 0);
        for (let t = 0; t < d; t++) z[t] -= za * a[t];
        const zn = Math.hypot(...z), an = Math.hypot(...a);
        const target = Math.tan((thetaDeg * Math.PI) / 180) * rho * an;
        const h = a.map((x, t) => muG[t] + rho * x + (z[t] * target) / zn);
        const labels = [...mu.map((_, k) => labelSet([k])), labelSet([0, 1])];
        const data = new Float64Array(labels.length * d);
        mu.forEach((m, k) => data.set(m, k * d));
        data.set(h, K * d);
        const { groups, setMeans, cm, muG: g } = prepare({ rows: labels.length, cols: d, data }, labels, K);
        const [s] = tagScale(setMeans, groups, cm, g);
        expect(s.rho).toBeCloseTo(rho, 9);
        expect(s.directionErrorDeg).toBeCloseTo(thetaDeg, 7);
      }), { numRuns: 40, seed: 45 });
  });
});
