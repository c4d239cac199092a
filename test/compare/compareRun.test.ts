import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareToUfm, countLabelSets, FIT_START_LAMBDA, logitsOf, predictAtLambdas, type CompareSettings, type NetworkSnapshot } from '../../src/compare/index.js';
import { etfEmbedding } from '../../src/geometry/etf.js';
import { balancedDesign, explicitDesign } from '../../src/ufm/design.js';
import { unpackUfm } from '../../src/ufm/objective.js';
import type { PalLoss } from '../../src/ufm/pal.js';
import { solveUfmTheory } from '../../src/ufm/theory.js';
import { theoryPoint } from '../../src/ufm/theoryPoint.js';
import { Rng } from '../../src/util/rng.js';

/** The run's recorded convention (src/deep/palLoss.ts FEATURE_PENALTY_CONVENTION), copied as a fixture. */
const SUMMED = 'lambdaH * sum_i ||h_i||^2 over the batch (summed, not averaged, no 1/2), as the public code';

/** A network snapshot whose features are exactly the UFM theory's optimum, and settings that map onto the same λ. */
function theorySnapshot(K: number, d: number, perSet: Record<number, number>, lambda: number, loss: PalLoss, seed: number, B = 8) {
  const theory = solveUfmTheory({ K, perSetCount: perSet, loss, lambdaW: lambda, lambdaH: lambda });
  const design = balancedDesign(K, perSet);
  const x = theoryPoint(theory, design.labels, d, new Rng(seed));
  const { W, H, b } = unpackUfm({ K, d }, design.N, x);
  const snapshot: NetworkSnapshot = {
    K, d, features: H.data, labels: design.labels, logits: logitsOf(H.data, design.N, d, W.data, b, K), W: W.data, b,
    testDecoding: { classMeans: 1, classifier: 1, labelSetMeans: 1, n: 10 },
  };
  // Summed convention: λ_H^UFM = 2·λ_H·B/N, so the network's λ_H = λ·N/(2B).
  const settings: CompareSettings = { loss, lambdaH: (lambda * design.N) / (2 * B), weightDecay: lambda, batchSize: B, fixedEtf: false, convention: SUMMED };
  return { theory, snapshot, settings };
}

describe('compareToUfm of features built exactly from the theory', () => {
  it('reports ρ̂ = ρ = 1.7508648, zero distances and equal gaps for reference case A (K = 4, n1 = 3, n2 = 2, λ = 5e-3, pal)', () => {
    const { theory, snapshot, settings } = theorySnapshot(4, 6, { 1: 3, 2: 2 }, 5e-3, 'pal', 1);
    const r = compareToUfm(snapshot, settings);
    expect(r.design.balanced).toBe(true);
    expect(r.mapped?.method).toBe('closed form');
    expect(r.mapping.lambdas?.lambdaH).toBeCloseTo(5e-3, 15);
    expect(r.mapped?.rho['2']).toBeCloseTo(1.7508648, 6);
    expect(r.network.rho['2'].mean).toBeCloseTo(1.7508648, 6);
    expect(r.fitted?.rho['2']).toBeCloseTo(1.7508648, 6);
    for (const v of [r.network.nc1, r.network.nc2W, r.network.nc2H, r.network.nc3, r.network.tagAngle]) expect(v).toBeLessThan(1e-6);
    expect(r.network.rowNorm).toBeCloseTo(2.8413212, 6);
    expect(r.mapped?.rowNorm).toBeCloseTo(theory.rowNorm, 10);
    expect(r.network.logitGap['2']).toBeCloseTo(r.mapped?.logitGap['2'] as number, 8);
    expect(r.verdict).toMatch(/close to a simplex ETF/);
    expect(r.verdict).toMatch(/ρ̂_2 = 1\.75/);
  });

  it('reports ρ̂ = ρ (mapped and fitted) and zero distances for random K, d, counts, λ and loss', () => {
    let nonTrivial = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }),
        fc.double({ min: -3.3, max: -2, noNaN: true }), fc.constantFrom<PalLoss>('pal', 'pal-n'), fc.integer({ min: 0, max: 1000 }),
        (K, extraD, n1, n2, logLambda, loss, seed) => {
          const lambda = 10 ** logLambda;
          const { theory, snapshot, settings } = theorySnapshot(K, K - 1 + extraD, { 1: n1, 2: n2 }, lambda, loss, seed);
          if (theory.trivial) return; // no geometry: covered by the trivial test below
          nonTrivial++;
          const r = compareToUfm(snapshot, settings);
          expect(Math.abs(r.network.rho['2'].mean - theory.rho[2]) / theory.rho[2]).toBeLessThan(1e-8);
          expect(Math.abs((r.mapped?.rho['2'] as number) - theory.rho[2])).toBeLessThan(1e-9);
          expect(Math.abs((r.fitted?.rho['2'] as number) - theory.rho[2]) / theory.rho[2]).toBeLessThan(1e-7);
          expect(Math.max(r.network.nc1, r.network.nc2W as number, r.network.nc2H, r.network.nc3 as number)).toBeLessThan(1e-6);
          expect(Math.abs(r.network.logitGap['1'] - (r.mapped?.logitGap['1'] as number))).toBeLessThan(1e-8 * r.network.logitGap['1']);
        },
      ),
      { numRuns: 25, seed: 4 },
    );
    expect(nonTrivial).toBeGreaterThanOrEqual(20);
  });

  it('reports ρ̂ = the mapped ρ for a frozen ETF classifier and features from the gap equation', () => {
    const K = 5, d = 7, lambdaU = 2e-3, B = 10, loss: PalLoss = 'pal-n';
    const design = balancedDesign(K, { 1: 4, 2: 1, 3: 2 });
    const W = etfEmbedding(K, d, new Rng(3)).data; // unit rows, like the frozen √(K/(K−1))(I − 11ᵀ/K)
    const alpha = K / (K - 1);
    const settings: CompareSettings = { loss, lambdaH: (lambdaU * design.N) / (2 * B), weightDecay: 5e-4, batchSize: B, fixedEtf: true, convention: SUMMED };
    // First ask the prediction for the gaps, then build h_S = (t_m/α)·Σ_{k∈S} w_k and check the comparison agrees.
    const counts = countLabelSets(design.labels, K);
    const pred = predictAtLambdas({ K, loss, counts, fixedAlpha: alpha }, null, lambdaU, 5e-4);
    const H = new Float64Array(design.N * d);
    design.labels.forEach((S, i) => {
      const g = pred.logitGap[String(S.length)] / alpha;
      for (const k of S) for (let t = 0; t < d; t++) H[i * d + t] += g * W[k * d + t];
    });
    const b = new Float64Array(K);
    const r = compareToUfm({ K, d, features: H, labels: design.labels, logits: logitsOf(H, design.N, d, W, b, K), W, b }, settings);
    expect(r.mapped?.method).toBe('gap equation, fixed ETF classifier');
    for (const m of ['2', '3']) {
      expect(r.network.rho[m].mean).toBeCloseTo(r.mapped?.rho[m] as number, 9);
      expect(r.fitted?.rho[m]).toBeCloseTo(r.mapped?.rho[m] as number, 9);
    }
    // The gap equation's ρ lies strictly between 1 and m (Li et al. 2024).
    expect(r.mapped?.rho['2']).toBeGreaterThan(1);
    expect(r.mapped?.rho['2']).toBeLessThan(2);
    expect(r.verdict).toMatch(/frozen/);
  });
});

describe('predictAtLambdas and the fitted scale', () => {
  it('agrees with the closed form through the explicit-design L-BFGS route on balanced counts (gcd-reduced design)', () => {
    const K = 4;
    const design = balancedDesign(K, { 1: 6, 2: 4 });
    const counts = countLabelSets(design.labels, K);
    const closed = predictAtLambdas({ K, loss: 'pal', counts, fixedAlpha: null }, 5e-3, 5e-3, 1e-2);
    const lbfgs = predictAtLambdas({ K, loss: 'pal', counts: { ...counts, perSetCount: null }, fixedAlpha: null }, 5e-3, 5e-3, 1e-2);
    expect(lbfgs.method).toBe('L-BFGS, explicit design');
    expect(lbfgs.rho['2']).toBeCloseTo(closed.rho['2'], 5);
    expect(lbfgs.logitGap['1']).toBeCloseTo(closed.logitGap['1'], 5);
    expect(lbfgs.rowNorm).toBeCloseTo(closed.rowNorm, 5);
    expect(lbfgs.nc2W).toBeLessThan(1e-5);
  });

  it('sends an imbalanced training set to L-BFGS and says why', () => {
    const K = 3;
    const design = explicitDesign(K, [{ set: [0], count: 5 }, { set: [1], count: 3 }, { set: [2], count: 4 }, { set: [0, 1], count: 2 }, { set: [1, 2], count: 1 }]);
    const counts = countLabelSets(design.labels, K);
    expect(counts.perSetCount).toBeNull();
    expect(counts.imbalance).toMatch(/only 2 of the 3 label sets of size 2|counts from/);
    const p = predictAtLambdas({ K, loss: 'pal', counts, fixedAlpha: null }, 5e-3, 5e-3, 1e-2);
    expect(p.method).toBe('L-BFGS, explicit design');
    expect(p.rho['2']).toBeGreaterThan(1);
  });

  it('fits the scale of an imbalanced run without weight decay from FIT_START_LAMBDA, as if that were its weight decay', () => {
    const K = 3, d = 3;
    const design = explicitDesign(K, [{ set: [0], count: 5 }, { set: [1], count: 3 }, { set: [2], count: 4 }, { set: [0, 1], count: 2 }, { set: [1, 2], count: 1 }]);
    const rng = new Rng(4);
    const W = Float64Array.from({ length: K * d }, () => rng.normal());
    const H = new Float64Array(design.N * d);
    design.labels.forEach((S, i) => { for (const k of S) for (let t = 0; t < d; t++) H[i * d + t] += W[k * d + t] + 0.1 * rng.normal(); });
    const b = new Float64Array(K);
    const snapshot: NetworkSnapshot = { K, d, features: H, labels: design.labels, logits: logitsOf(H, design.N, d, W, b, K), W, b };
    const settings: CompareSettings = { loss: 'pal', lambdaH: 0.01, weightDecay: 0, batchSize: 4, fixedEtf: false, convention: SUMMED };
    const r = compareToUfm(snapshot, settings);
    expect(r.mapping.reason).toMatch(/no weight decay/);
    expect(r.fitted?.route).toBe('lbfgs');
    expect(Math.abs((r.fitted?.logitGap['1'] as number) - r.network.logitGap['1'])).toBeLessThan(1e-3 * r.network.logitGap['1']);
    const same = compareToUfm(snapshot, { ...settings, weightDecay: FIT_START_LAMBDA, convention: undefined });
    expect(same.fitted).toEqual(r.fitted);
  });

  it('reports too strong a regularisation as the trivial optimum, not NaN', () => {
    const { snapshot, settings } = theorySnapshot(4, 4, { 1: 3, 2: 2 }, 5e-3, 'pal', 2);
    const r = compareToUfm(snapshot, { ...settings, weightDecay: 10, lambdaH: settings.lambdaH * 2000 });
    expect(r.mapped?.trivial).toBe(true);
    expect(r.verdict).toMatch(/W = H = 0/);
    expect(r.rows.find((x) => x.label.startsWith('ρ₂') && x.label.includes('mapped'))?.ufm).toBeNull();
  });

  it('rejects a snapshot with NaN features with a one-line error', () => {
    const { snapshot, settings } = theorySnapshot(3, 2, { 1: 2, 2: 1 }, 5e-3, 'pal', 3);
    const features = Float64Array.from(snapshot.features);
    features[3] = Number.NaN;
    expect(() => compareToUfm({ ...snapshot, features }, settings)).toThrow(/features has a non-finite entry at index 3/);
  });
});
