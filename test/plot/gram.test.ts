import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FigureDataError } from '../../src/plot/figureDataError.js';
import { centreRows, divergingColor, etfTarget, frobeniusDistance, gramFigure, normalizedGram } from '../../src/plot/gram.js';
import { count, expectStandaloneSvg } from './svgTestHelpers.js';
import { syntheticGram } from './sampleData.js';

const frob = (A: number[][]) => Math.sqrt(A.flat().reduce((s, v) => s + v * v, 0));

describe('etfTarget, normalizedGram and divergingColor', () => {
  it('etfTarget returns E_K with unit Frobenius norm and zero row sums, the normalised Gram of the centred identity', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), (K) => {
      const E = etfTarget(K);
      const I = Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 1 : 0)));
      return Math.abs(frob(E) - 1) < 1e-12
        && E.every((r) => Math.abs(r.reduce((a, b) => a + b, 0)) < 1e-12)
        && frobeniusDistance(normalizedGram(centreRows(I)), E) < 1e-12;
    }), { numRuns: 11, seed: 4 });
  });

  it('normalizedGram is scale invariant with norm 1', () => {
    const A = [[1, 2, 0], [0, 1, -1]];
    const G = normalizedGram(A);
    expect(frob(G)).toBeCloseTo(1, 12);
    expect(frobeniusDistance(G, normalizedGram(A.map((r) => r.map((v) => 7 * v))))).toBeLessThan(1e-12);
    expect(() => normalizedGram([[0, 0], [0, 0]])).toThrow(/zero/);
  });

  it('divergingColor is near-white at 0, red for positive and blue for negative values', () => {
    const [r0, g0, b0] = divergingColor(0, 1).match(/\d+/g)!.map(Number);
    expect(Math.min(r0, g0, b0)).toBeGreaterThan(230);
    expect(Math.abs(r0 - b0)).toBeLessThan(10);
    const [r1, , b1] = divergingColor(1, 1).match(/\d+/g)!.map(Number);
    const [r2, , b2] = divergingColor(-1, 1).match(/\d+/g)!.map(Number);
    expect(r1).toBeGreaterThan(b1);
    expect(b2).toBeGreaterThan(r2);
  });
});

describe('gramFigure', () => {
  it('draws three K×K heatmaps with values, class labels and a colour bar', () => {
    const root = expectStandaloneSvg(gramFigure(syntheticGram(4, 1)));
    expect(count(root, 'g.panel')).toBe(3);
    expect(count(root, 'rect.cell')).toBe(3 * 16);
    expect(count(root, 'text.cell-value')).toBe(3 * 16);
    expect(count(root, 'g.legend.colorbar')).toBe(1);
    expect([...root.querySelectorAll('g.panel')[0].querySelectorAll('g.axis-left text')].map((t) => t.textContent)).toEqual(['1', '2', '3', '4']);
    // target panel prints E_K: diagonal (1 − 1/4)/√3 = 0.43, off-diagonal −(1/4)/√3 = −0.14
    const target = [...root.querySelectorAll('g.panel')[2].querySelectorAll('text.cell-value')].map((t) => t.textContent);
    expect(target.slice(0, 4)).toEqual(['0.43', '−0.14', '−0.14', '−0.14']);
  });

  it('reports distance 0 for an exact ETF and omits values for K > 10', () => {
    const E = etfTarget(3);
    const root = expectStandaloneSvg(gramFigure({ title: 'g', W: E, classMeans: E.map((r) => r.map((v) => 3 * v + 1)), classNames: ['a', 'b', 'c'] }));
    const subs = [...root.querySelectorAll('text.panel-subtitle')].map((t) => t.textContent);
    expect(subs[0]).toBe('‖G − E_K‖_F = 0.000');
    expect(subs[1]).toBe('‖G − E_K‖_F = 0.000');
    const big = expectStandaloneSvg(gramFigure(syntheticGram(12, 2)));
    expect(count(big, 'rect.cell')).toBe(3 * 144);
    expect(count(big, 'text.cell-value')).toBe(0);
  });

  it('rejects mismatched or non-finite input', () => {
    const { W, classMeans } = syntheticGram(3, 3);
    expect(() => gramFigure({ title: 'g', W, classMeans: classMeans.slice(1) })).toThrow(/2 class means but W has K = 3/);
    const bad = W.map((r) => [...r]);
    bad[1][1] = Number.NaN;
    expect(() => gramFigure({ title: 'g', W: bad, classMeans })).toThrow(FigureDataError);
    expect(() => gramFigure({ title: 'g', W: [], classMeans })).toThrow(FigureDataError);
    expect(() => gramFigure({ title: 'g', W, classMeans, classNames: ['a'] })).toThrow(/class names/);
  });
});
