import * as d3 from 'd3';
import { describe, expect, it } from 'vitest';
import { FigureDataError } from '../../src/plot/figureDataError.js';
import { panelScales, seriesPath, type LinePanelSpec } from '../../src/plot/linePanel.js';
import { roundPath } from './svgTestHelpers.js';

const spec = (points: { x: number; y: number | null }[], logY = true, floor = 1e-12): LinePanelSpec => ({
  title: 't', xLabel: 'x', yLabel: 'y', logY, floor, markers: false,
  series: [{ label: 'a', color: '#000', points }],
});

describe('line panel scales and paths', () => {
  it('maps a 2-point line to the corners of the panel (hand-derived pixels)', () => {
    // x: [0, 10] → [0, 200]; y: log domain [1e-2, 1] → [100, 0]
    const s = spec([{ x: 0, y: 1e-2 }, { x: 10, y: 1 }]);
    const { x, y } = panelScales(s, 200, 100);
    expect(roundPath(seriesPath(s.series[0].points, x, y, 1e-12))).toBe('M0,100L200,0');
  });

  it('puts a mid-decade point at its log position', () => {
    // y = 0.1 is halfway (in log10) between 1e-2 and 1 → pixel 50; x = 5 → 100
    const s = spec([{ x: 0, y: 1e-2 }, { x: 5, y: 0.1 }, { x: 10, y: 1 }]);
    const { x, y } = panelScales(s, 200, 100);
    expect(roundPath(seriesPath(s.series[0].points, x, y, 1e-12))).toBe('M0,100L100,50L200,0');
  });

  it('leaves a gap at null values (a second moveto)', () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: 0.1 }, { x: 2, y: null }, { x: 3, y: 0.01 }, { x: 4, y: 0.001 }];
    const s = spec(pts);
    const { x, y } = panelScales(s, 400, 300);
    const d = seriesPath(pts, x, y, 1e-12);
    expect(d.match(/M/g)?.length).toBe(2);
    expect(roundPath(d)).toBe('M0,0L100,100M300,200L400,300');
  });

  it('draws exact zeros at the floor and reports the clamping', () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: 0 }];
    const s = spec(pts, true, 1e-4);
    const { x, y, clamped } = panelScales(s, 100, 40);
    expect(clamped).toBe(true);
    expect(y.domain()).toEqual([1e-4, 1]);
    expect(roundPath(seriesPath(pts, x, y, 1e-4))).toBe('M0,0L100,40');
    expect(panelScales(spec([{ x: 0, y: 1 }, { x: 1, y: 0.5 }]), 100, 40).clamped).toBe(false);
  });

  it('rejects negative values on a log axis and panels without values', () => {
    expect(() => panelScales(spec([{ x: 0, y: -1e-3 }]), 100, 100)).toThrow(FigureDataError);
    expect(() => panelScales(spec([{ x: 0, y: null }]), 100, 100)).toThrow(/no values/);
  });

  it('uses a niced linear y when asked', () => {
    const s = spec([{ x: 0, y: -0.3 }, { x: 1, y: 0.9 }], false);
    const { y } = panelScales(s, 100, 100);
    expect(y.domain()).toEqual(d3.scaleLinear().domain([-0.3, 0.9]).nice(5).domain());
  });
});
