import { describe, expect, it } from 'vitest';
import { FigureDataError } from '../../src/plot/figureDataError.js';
import { barLayout, fixedVsLearnedFigure, formatParamCount } from '../../src/plot/fixedVsLearned.js';
import { count, expectStandaloneSvg, legendLabels } from './svgTestHelpers.js';
import { syntheticFixedVsLearned } from './sampleData.js';

describe('fixedVsLearnedFigure', () => {
  it('draws runs × metrics bars, the NC panels and parameter counts in the legend', () => {
    const root = expectStandaloneSvg(fixedVsLearnedFigure(syntheticFixedVsLearned()));
    expect(count(root, 'rect.bar')).toBe(6);
    expect(count(root, 'g.panel')).toBe(4); // bars + nc1, nc2H, nc3
    expect(count(root, 'path.series')).toBe(6);
    expect(legendLabels(root)).toEqual(['learned classifier (11.2M trainable params)', 'fixed ETF classifier (8.83M trainable params)']);
    expect([...root.querySelectorAll('text.bar-value')].map((t) => t.textContent)).toEqual(['0.912', '0.957', '0.934', '0.905', '0.951', '0.941']);
  });

  it('draws bars to the right height: y = 0..1 over the panel height', () => {
    const input = syntheticFixedVsLearned();
    const runs = input.runs.map((r) => ({ ...r, history: [], testMetrics: { acc: r === input.runs[0] ? 0.5 : 1 } }));
    const root = expectStandaloneSvg(fixedVsLearnedFigure({ ...input, runs }));
    const bars = [...root.querySelectorAll('rect.bar')];
    const h = bars.map((b) => Number(b.getAttribute('height')));
    expect(h[1]).toBeCloseTo(2 * h[0], 9);
    expect(count(root, 'g.panel')).toBe(1); // no history → bars only
  });

  it('barLayout places grouped bars without overlap', () => {
    const L = barLayout(3, 2, 300);
    for (let g = 0; g < 3; g++) {
      expect(L.barX(0) + L.barWidth).toBeLessThanOrEqual(L.barX(1));
      expect(L.barX(1) + L.barWidth).toBeLessThanOrEqual(L.groupWidth + 1e-9);
      if (g < 2) expect(L.groupX(g) + L.groupWidth).toBeLessThan(L.groupX(g + 1));
    }
    expect(L.groupX(2) + L.groupWidth).toBeLessThanOrEqual(300);
  });

  it('formatParamCount writes 11.2M, 950 and 2.46k', () => {
    expect(formatParamCount(11_173_962)).toBe('11.2M');
    expect(formatParamCount(950)).toBe('950');
    expect(formatParamCount(2460)).toBe('2.46k');
  });

  it('rejects missing or non-finite metrics and bad parameter counts', () => {
    const input = syntheticFixedVsLearned();
    const [a, b] = input.runs;
    expect(() => fixedVsLearnedFigure({ ...input, runs: [] })).toThrow(FigureDataError);
    expect(() => fixedVsLearnedFigure({ ...input, runs: [a, { ...b, testMetrics: { 'micro-F1': 0.9 } }] })).toThrow(/lacks test metric "exact-set match"/);
    expect(() => fixedVsLearnedFigure({ ...input, runs: [a, { ...b, testMetrics: { ...b.testMetrics, 'micro-F1': Number.NaN } }] })).toThrow(/micro-F1/);
    expect(() => fixedVsLearnedFigure({ ...input, runs: [{ ...a, trainableParams: 1.5 }] })).toThrow(/trainableParams/);
    expect(() => fixedVsLearnedFigure({ ...input, metrics: [] })).toThrow(/test metrics is empty/);
  });
});
