import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gapForScale, mapToUfmLambdas, parsePenaltyConvention, predictFromScale, scaleFromGap1 } from '../../src/compare/index.js';
import { solveUfmTheory } from '../../src/ufm/theory.js';

const SUMMED = 'lambdaH * sum_i ||h_i||^2 over the batch (summed, not averaged, no 1/2), as the public code';

describe('feature-penalty convention → UFM λ', () => {
  it('reads the recorded conventions', () => {
    expect(parsePenaltyConvention(SUMMED)).toEqual({ reduction: 'sum', half: false });
    expect(parsePenaltyConvention('lambdaH/2 * mean over the batch of ||h_i||^2 (averaged, 1/2)')).toEqual({ reduction: 'mean', half: true });
    expect(parsePenaltyConvention('something else')).toBeNull();
    expect(parsePenaltyConvention(undefined)).toBeNull();
  });

  it('summed over the batch: λ_H^UFM = 2·λ_H·B/N; averaged: 2·λ_H/N; a ½ halves it; λ_W = λ_b = weight decay', () => {
    const base = { lambdaH: 1e-3, weightDecay: 5e-4, batchSize: 128, trainSamples: 40_000, fixedClassifier: false };
    const s = mapToUfmLambdas({ ...base, convention: SUMMED });
    expect(s.lambdas?.lambdaH).toBeCloseTo((2 * 1e-3 * 128) / 40_000, 18);
    expect(s.lambdas?.lambdaW).toBe(5e-4);
    expect(s.lambdas?.lambdaB).toBe(5e-4);
    expect(mapToUfmLambdas({ ...base, convention: 'lambdaH * mean_i ||h_i||^2 (averaged over the batch)' }).lambdas?.lambdaH).toBeCloseTo(2e-3 / 40_000, 18);
    expect(mapToUfmLambdas({ ...base, convention: 'lambdaH/2 * sum_i ||h_i||^2, summed, with 1/2' }).lambdas?.lambdaH).toBeCloseTo((1e-3 * 128) / 40_000, 18);
    expect(mapToUfmLambdas({ ...base, convention: SUMMED, fixedClassifier: true }).lambdas?.lambdaW).toBeNull();
  });

  it('no mapping without a feature penalty, with an unknown convention, or without weight decay on a learned W', () => {
    const base = { lambdaH: 1e-3, weightDecay: 5e-4, batchSize: 128, trainSamples: 400, fixedClassifier: false, convention: SUMMED };
    expect(mapToUfmLambdas({ ...base, lambdaH: 0 })).toMatchObject({ lambdas: null, reason: expect.stringMatching(/no feature penalty/) });
    expect(mapToUfmLambdas({ ...base, convention: 'gibberish' })).toMatchObject({ lambdas: null, reason: expect.stringMatching(/convention/) });
    expect(mapToUfmLambdas({ ...base, weightDecay: 0 })).toMatchObject({ lambdas: null, reason: expect.stringMatching(/weight decay/) });
  });
});

describe('gap equation t·(m·e^t + K − m) = c_m·κ', () => {
  it('reproduces the closed-form solver\'s gaps and ρ from κ = K·α/(N·λ_H) (random balanced designs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 7 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }),
        fc.double({ min: -3.5, max: -1.8, noNaN: true }), fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.constantFrom('pal', 'pal-n' as const),
        (K, n1, n2, n3, logL, logRatio, loss) => {
          const perSetCount: Record<number, number> = K > 3 ? { 1: n1, 2: n2, 3: n3 } : { 1: n1, 2: n2 };
          const t = solveUfmTheory({ K, perSetCount, loss, lambdaW: 10 ** (logL + logRatio), lambdaH: 10 ** logL });
          if (t.trivial) return;
          const kappa = (K * t.alpha) / (t.N * t.lambdaH);
          const p = predictFromScale(kappa, K, t.multiplicities.map((mm) => mm.m), loss);
          for (const mm of t.multiplicities) {
            if (mm.m === K) continue;
            expect(Math.abs(p.logitGap[String(mm.m)] - mm.logitGap)).toBeLessThan(1e-9 * Math.max(1, mm.logitGap));
            if (mm.m >= 2) expect(Math.abs(p.rho[String(mm.m)] - (mm.rho as number))).toBeLessThan(1e-8);
          }
          // κ recovered from the multiplicity-1 gap alone
          expect(Math.abs(scaleFromGap1(p.logitGap['1'], K) - kappa)).toBeLessThan(1e-9 * kappa);
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });

  it('solves exactly at the root and rejects bad input', () => {
    const t = gapForScale(2, 5, 37);
    expect(t * (2 * Math.exp(t) + 3)).toBeCloseTo(37, 10);
    expect(gapForScale(5, 5, 3)).toBe(0);
    expect(() => gapForScale(2, 5, Number.NaN)).toThrow(/finite/);
    expect(() => scaleFromGap1(-1, 4)).toThrow(/gap must be > 0/);
  });
});
