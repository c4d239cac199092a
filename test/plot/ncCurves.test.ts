import { describe, expect, it } from 'vitest';
import { FigureDataError } from '../../src/plot/figureDataError.js';
import { PANEL_MARGIN } from '../../src/plot/linePanel.js';
import { NC_PANEL_SIZE, ncCurvesFigure, ncPanelSpecs, type NcRun } from '../../src/plot/ncCurves.js';
import { axisInverse, count, expectStandaloneSvg, legendLabels, polylines, roundPath } from './svgTestHelpers.js';
import { syntheticRuns } from './sampleData.js';

const twoRuns = (): NcRun[] => [
  { label: 'learned', records: [{ step: 0, nc1: 1, nc3: 0.5 }, { step: 10, nc1: 1e-2, nc3: 0.05 }] },
  { label: 'fixed ETF', records: [{ step: 0, nc1: 0.5, nc3: 0.4 }, { step: 10, nc1: 0, nc3: 0.01 }] },
];

describe('ncCurvesFigure', () => {
  it('is a standalone SVG with one panel per metric present, one series per run, a shared legend', () => {
    const root = expectStandaloneSvg(ncCurvesFigure({ title: 'NC', xLabel: 'epoch', runs: twoRuns() }));
    expect(count(root, 'g.panel')).toBe(2); // only nc1 and nc3 have values
    expect(count(root, 'path.series')).toBe(4);
    expect(count(root, 'g.axis')).toBe(4);
    expect(legendLabels(root)).toEqual(['learned', 'fixed ETF']);
    const titles = [...root.querySelectorAll('text.panel-title')].map((t) => t.textContent);
    expect(titles).toEqual(['NC1: within-class variability', 'NC3: self-duality']);
    expect([...root.querySelectorAll('text.axis-label-bottom')].every((t) => t.textContent === 'epoch')).toBe(true);
    expect(root.querySelector('text.axis-label-left')?.textContent).toMatch(/log scale/);
  });

  it('draws every record at (step, value), read back through the panel axes, inside its panel', () => {
    const runs = syntheticRuns();
    const root = expectStandaloneSvg(ncCurvesFigure({ title: 'NC', xLabel: 'epoch', runs }));
    const panel = root.querySelectorAll('g.panel')[0];
    expect(panel.querySelector('text.panel-title')?.textContent).toBe('NC1: within-class variability');
    const toStep = axisInverse(panel.querySelector('g.axis-bottom') as Element);
    const toValue = axisInverse(panel.querySelector('g.axis-left') as Element, true);
    const series = [...panel.querySelectorAll('path.series')];
    expect(series.map((p) => p.getAttribute('data-series'))).toEqual(runs.map((r) => r.label));
    series.forEach((path, r) => {
      const drawn = polylines(path.getAttribute('d') ?? '').flat();
      const records = runs[r].records;
      expect(drawn).toHaveLength(records.length);
      drawn.forEach(([px, py], i) => {
        expect(px).toBeGreaterThanOrEqual(0);
        expect(px).toBeLessThanOrEqual(NC_PANEL_SIZE.width);
        expect(py).toBeGreaterThanOrEqual(0);
        expect(py).toBeLessThanOrEqual(NC_PANEL_SIZE.height);
        expect(toStep(px)).toBeCloseTo(records[i].step, 2);
        const v = records[i].nc1 as number;
        if (v > 0) expect(Math.log10(toValue(py))).toBeCloseTo(Math.log10(v), 4); // exact zeros sit at the floor
      });
    });
  });

  it('draws a 2-point series along its hand-derived path', () => {
    // nc3 panel: x [0, 10] → [0, 250]; y data 0.05..0.5 → log domain [1e-2, 1] → [165, 0];
    // 0.5 → 165·(1 − log10(50)/2), 0.05 → 165·(1 − log10(5)/2)
    const root = expectStandaloneSvg(ncCurvesFigure({ title: 'NC', xLabel: 'epoch', runs: [twoRuns()[0]] }));
    const nc3 = root.querySelectorAll('g.panel')[1];
    const d = nc3.querySelector('path.series')?.getAttribute('d') ?? '';
    const H = NC_PANEL_SIZE.height;
    const y = (v: number) => H * (1 - (Math.log10(v) + 2) / 2);
    expect(roundPath(d)).toBe(roundPath(`M0,${y(0.5)}L${NC_PANEL_SIZE.width},${y(0.05)}`));
  });

  it('draws an exact zero at the floor, hollow, and says so in a note', () => {
    const root = expectStandaloneSvg(ncCurvesFigure({ title: 'NC', xLabel: 'epoch', runs: twoRuns(), floor: 1e-6 }));
    const nc1 = root.querySelectorAll('g.panel')[0];
    expect(nc1.querySelector('text.floor-note')?.textContent).toContain('10⁻⁶');
    expect(count(nc1, 'path.point.clamped')).toBe(1);
    // the fixed-ETF line ends on the panel's bottom edge (the floor is the domain's lower end)
    const d = roundPath(nc1.querySelectorAll('path.series')[1].getAttribute('d') ?? '');
    expect(d.endsWith(`L${NC_PANEL_SIZE.width},${NC_PANEL_SIZE.height}`)).toBe(true);
    const nc3 = root.querySelectorAll('g.panel')[1];
    expect(nc3.querySelector('text.floor-note')).toBeNull();
  });

  it('leaves gaps at null values and marks isolated points', () => {
    const runs: NcRun[] = [{ label: 'r', records: [{ step: 0, nc1: 1 }, { step: 1, nc1: null }, { step: 2, nc1: 0.1 }, { step: 3 }, { step: 4, nc1: 0.01 }, { step: 5, nc1: 0.001 }] }];
    const root = expectStandaloneSvg(ncCurvesFigure({ title: 'NC', xLabel: 'iteration', runs, markers: false }));
    const d = root.querySelector('path.series')?.getAttribute('d') ?? '';
    expect(d.match(/M/g)?.length).toBe(3);
    expect(count(root, 'path.point')).toBe(2); // steps 0 and 2 have no neighbours
  });

  it('adds one scale-error panel per multiplicity present', () => {
    const { specs } = ncPanelSpecs(syntheticRuns(), 'epoch');
    expect(specs.map((s) => s.title)).toEqual([
      'NC1: within-class variability', 'NC2 (classifier W)', 'NC2 (class means H)', 'NC3: self-duality',
      'tag-wise average (angle, m=2)', 'tag-wise scale error, m=2', 'tag-wise scale error, m=3',
    ]);
    const root = expectStandaloneSvg(ncCurvesFigure({ title: 'NC', xLabel: 'epoch', runs: syntheticRuns() }));
    expect(count(root, 'g.panel')).toBe(7);
    expect(count(root, 'path.series')).toBe(14);
    const W = Number(root.getAttribute('width'));
    expect(W).toBe(Math.ceil(3 * (NC_PANEL_SIZE.width + PANEL_MARGIN.left + PANEL_MARGIN.right) + 20));
  });

  it('rejects bad input with a FigureDataError naming the problem', () => {
    const fig = (runs: NcRun[]) => () => ncCurvesFigure({ title: 'NC', xLabel: 'epoch', runs });
    expect(fig([])).toThrow(FigureDataError);
    expect(fig([{ label: 'a', records: [] }])).toThrow(/run "a" records is empty/);
    expect(fig([{ label: 'a', records: [{ step: 0, nc1: Number.NaN }] }])).toThrow(/nc1 must be a finite number, got NaN/);
    expect(fig([{ label: 'a', records: [{ step: 0, nc2H: Infinity }] }])).toThrow(/nc2H .*Infinity/);
    expect(fig([{ label: 'a', records: [{ step: 0, rhoRelError: { 2: Number.NaN } }] }])).toThrow(FigureDataError);
    expect(fig([{ label: 'a', records: [{ step: 0, rhoRelError: { 1: 0.1 } }] }])).toThrow(/multiplicity/);
    expect(fig([{ label: 'a', records: [{ step: 5, nc1: 1 }, { step: 2, nc1: 1 }] }])).toThrow(/not increasing/);
    expect(fig([{ label: 'a', records: [{ step: 0 }, { step: 1, nc1: null }] }])).toThrow(/no run has any metric value/);
    expect(fig([{ label: 'a', records: [{ step: 0, nc1: -0.5 }] }])).toThrow(/negative/);
    expect(() => ncCurvesFigure({ title: 'NC', xLabel: 'e', runs: twoRuns(), floor: 0 })).toThrow(/floor/);
  });
});
