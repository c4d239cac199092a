import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareToUfm, logitsOf, renderVerdict, VERDICT_THRESHOLDS, verdictFindings, writeVerdict, type CompareSettings, type ComparisonReport,
  type NetworkSnapshot, type VerdictInput,
} from '../../src/compare/index.js';
import { balancedDesign } from '../../src/ufm/design.js';
import { unpackUfm } from '../../src/ufm/objective.js';
import { solveUfmTheory } from '../../src/ufm/theory.js';
import { theoryPoint } from '../../src/ufm/theoryPoint.js';
import { Rng } from '../../src/util/rng.js';

const SUMMED = 'lambdaH * sum_i ||h_i||^2 over the batch (summed, not averaged, no 1/2), as the public code';

/** A real report of features at the theory's optimum (K = 4, n1 = 3, n2 = 2, λ = 5e-3), to override field by field. */
function theoryReport(settings: Partial<CompareSettings> = {}): ComparisonReport {
  const K = 4, d = 6, perSet = { 1: 3, 2: 2 }, lambda = 5e-3, B = 8;
  const theory = solveUfmTheory({ K, perSetCount: perSet, loss: 'pal', lambdaW: lambda, lambdaH: lambda });
  const design = balancedDesign(K, perSet);
  const { W, H, b } = unpackUfm({ K, d }, design.N, theoryPoint(theory, design.labels, d, new Rng(1)));
  const snapshot: NetworkSnapshot = { K, d, features: H.data, labels: design.labels, logits: logitsOf(H.data, design.N, d, W.data, b, K), W: W.data, b };
  return compareToUfm(snapshot, {
    loss: 'pal', lambdaH: (lambda * design.N) / (2 * B), weightDecay: lambda, batchSize: B, fixedEtf: false, convention: SUMMED, ...settings,
  });
}

const base = theoryReport();
const withNetwork = (r: VerdictInput, n: Partial<ComparisonReport['network']>): VerdictInput => ({ ...r, network: { ...r.network, ...n } });

describe('verdictFindings', () => {
  it('grades every ETF distance and NC1 by the named thresholds (boundaries belong to the worse grade)', () => {
    const T = VERDICT_THRESHOLDS;
    fc.assert(fc.property(
      fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }),
      fc.double({ min: 0, max: 3, noNaN: true }),
      (nc2W, nc2H, nc3, nc1) => {
        const v = verdictFindings(withNetwork(base, { nc2W, nc2H, nc3, nc1 }));
        const grade = (x: number, close: number, moderate: number) => (x < close ? 'close' : x < moderate ? 'moderate' : 'far');
        expect(v.classifier).toEqual({ kind: 'learned', etf: grade(nc2W, T.etfClose, T.etfModerate), nc2W });
        expect(v.classMeans.etf).toBe(grade(nc2H, T.etfClose, T.etfModerate));
        expect(v.selfDuality?.level).toBe(grade(nc3, T.etfClose, T.etfModerate));
        expect(v.collapse.level).toBe(grade(nc1, T.nc1Collapsed, T.nc1Far));
      },
    ), { numRuns: 200, seed: 21 });
    const edge = verdictFindings(withNetwork(base, { nc2W: T.etfClose, nc1: T.nc1Far }));
    expect(edge.classifier).toMatchObject({ etf: 'moderate' });
    expect(edge.collapse.level).toBe('far');
  });

  it('reads the logit gap against the mapped UFM: smaller means stronger regularisation, unless NC1 is far from collapse', () => {
    const ufm = base.mapped?.logitGap['1'] as number;
    const at = (gap: number, nc1: number) => verdictFindings(withNetwork(base, { logitGap: { ...base.network.logitGap, 1: gap }, nc1 })).logitGap;
    expect(at(0.5 * ufm, 0)).toEqual({ kind: 'compared', ufm, network: 0.5 * ufm, reading: 'stronger-regularisation' });
    expect(at(2 * ufm, 0)).toMatchObject({ reading: 'weaker-regularisation' });
    expect(at(ufm * (1 - 1e-12), 0)).toMatchObject({ reading: 'matches' });
    expect(at(ufm * (1 + 0.9 * VERDICT_THRESHOLDS.logitGapMatch), 0)).toMatchObject({ reading: 'matches' });
    expect(at(0.5 * ufm, VERDICT_THRESHOLDS.nc1Far)).toMatchObject({ reading: 'far-from-regime' });
  });

  it('takes a frozen classifier from the report, not from the prediction method, so it holds without a λ mapping', () => {
    const frozen = theoryReport({ fixedEtf: true, convention: undefined });
    expect(frozen.mapped).toBeNull();
    expect(verdictFindings(frozen).classifier).toEqual({ kind: 'frozen-etf' });
    expect(frozen.verdict).toMatch(/^The classifier is frozen to the simplex ETF, the class means are close to one/);
    expect(frozen.rows.find((r) => r.label.startsWith('NC2_W'))?.note).toBe('classifier frozen to the ETF');
  });

  it('records why there is no logit-gap comparison: no mapping, or the trivial optimum', () => {
    expect(verdictFindings(theoryReport({ convention: undefined })).logitGap).toMatchObject({ kind: 'no-mapping', reason: expect.stringMatching(/convention/) });
    const trivial = theoryReport({ weightDecay: 10, lambdaH: 5e-3 * 14 * 1000 });
    expect(trivial.mapped?.trivial).toBe(true);
    expect(verdictFindings(trivial).logitGap).toEqual({ kind: 'trivial-optimum' });
    expect(verdictFindings(trivial).tagwise.every((t) => t.mapped === null)).toBe(true);
  });
});

describe('writeVerdict', () => {
  it('writes one sentence per finding for features at the theory optimum', () => {
    expect(base.verdict).toBe(writeVerdict(base));
    expect(base.verdict).toMatch(/^The classifier is close to a simplex ETF \(NC2_W = .*\), the class means are close to one/);
    expect(base.verdict).toMatch(/Features of a class have collapsed to their mean \(NC1 = [^;]*\)\./);
    expect(base.verdict).toMatch(/The multiplicity-2 features are tag-wise averages \(direction error 0\.0°\) with scale ρ̂_2 = 1\.75 vs the UFM's 1\.75 with the fitted scale and 1\.75 with the mapped λ\./);
    expect(base.verdict).toMatch(/the network has 4\.37 \(equal within 5%\): the UFM at the mapped λ accounts for the network's logit gap\./);
  });

  it('calls gaps equal to rounding equal (regression: "1× smaller: consistent with more regularisation")', () => {
    expect(base.verdict).not.toMatch(/1× smaller/);
  });

  it('says a non-positive network logit gap has no ratio (regression: it printed "-1.2× smaller")', () => {
    const ufm = base.mapped?.logitGap['1'] as number;
    const text = writeVerdict(withNetwork(base, { logitGap: { ...base.network.logitGap, 1: -1.2 * ufm } }));
    expect(text).toMatch(/\(not positive: the network does not rank the true label first\)/);
    expect(text).not.toMatch(/-\d.*× smaller/);
  });

  it('renderVerdict words follow the findings, never the numbers directly', () => {
    const v = verdictFindings(base);
    const text = renderVerdict({ ...v, collapse: { level: 'far', nc1: 0 }, tagwise: [{ ...v.tagwise[0], tagwise: false, inUfmRange: false }] });
    expect(text).toMatch(/Features of a class are far from collapsed \(NC1 = 0; the UFM predicts 0\)/);
    expect(text).toMatch(/only roughly tag-wise averages .* \(outside the UFM's range 1 < ρ < 2\)/);
  });
});
