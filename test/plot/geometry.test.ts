import { describe, expect, it } from 'vitest';
import { FigureDataError } from '../../src/plot/figureDataError.js';
import { GEOMETRY_PANEL_SIZE, geometryFigure, labelSetColors, panelGeometry, type GeometryInput, type GeometrySnapshot } from '../../src/plot/geometry.js';
import { matrix } from '../../src/geometry/types.js';
import { axisInverse, circleCentre, count, expectStandaloneSvg, legendLabels } from './svgTestHelpers.js';
import { syntheticGeometry, syntheticGeometryInput } from './sampleData.js';

const one = (s: GeometrySnapshot): GeometryInput => ({ title: 'g', K: 3, rows: [{ label: 'r', cells: [{ label: 'c', snapshot: s }] }] });

// exactly collapsed K = 3 features on an ETF in the plane, pair means at (ρ/2)(μ_a + μ_b)
const etf = [0, 1, 2].map((k) => [Math.cos((2 * Math.PI * k) / 3), Math.sin((2 * Math.PI * k) / 3), 0]);
function collapsed(rho: number): GeometrySnapshot {
  const features: number[][] = [];
  const labels: number[][] = [];
  etf.forEach((e, k) => { features.push(e, e); labels.push([k], [k]); });
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) { features.push(etf[a].map((v, j) => (rho / 2) * (v + etf[b][j]))); labels.push([a, b]); }
  return { features, labels, classifier: etf, rho2: rho };
}

describe('geometryFigure', () => {
  it('draws a 2×2 grid with means, pair means, arrows and the construction', () => {
    const root = expectStandaloneSvg(geometryFigure(syntheticGeometryInput()));
    expect(count(root, 'g.panel')).toBe(4);
    expect(count(root, 'path.class-mean')).toBe(12);
    expect(count(root, 'path.pair-mean')).toBe(6); // multi-label row only
    expect(count(root, 'g.classifier-arrow')).toBe(12);
    expect(count(root, 'path.construction')).toBe(12); // two dashed lines per pair mean
    expect(count(root, 'path.prediction')).toBe(6);
    expect(count(root, 'g.axis')).toBe(8);
    expect(count(root, 'path.sample')).toBe(2 * 120 + 2 * 195);
    expect(legendLabels(root)).toEqual(['{1}', '{2}', '{3}', '{1,2}', '{1,3}', '{2,3}', 'samples', 'class mean', 'pair mean',
      'classifier rows w_k (rescaled)', 'class means → pair mean', 'theory (ρ₂/2)(μ_a + μ_b)']);
    expect([...root.querySelectorAll('text.row-label')].map((t) => t.textContent)).toEqual(['multi-class', 'multi-label (PAL)']);
  });

  it('draws each class mean at its projected coordinates (read back through the panel axes) and every sample inside its panel', () => {
    const input = syntheticGeometryInput();
    const root = expectStandaloneSvg(geometryFigure(input));
    const cells = input.rows.flatMap((r) => r.cells);
    [...root.querySelectorAll('g.panel')].forEach((panel, i) => {
      const g = panelGeometry(cells[i].snapshot, 3, 'test');
      expect(panel.querySelector('text.axis-label-bottom')?.textContent).toBe('projection on u₁');
      expect(panel.querySelector('text.axis-label-left')?.textContent).toBe('projection on u₂');
      const toX = axisInverse(panel.querySelector('g.axis-bottom') as Element);
      const toY = axisInverse(panel.querySelector('g.axis-left') as Element);
      const drawn = [...panel.querySelectorAll('path.class-mean')].map((p) => circleCentre(p.getAttribute('d') ?? ''));
      expect(drawn).toHaveLength(3);
      drawn.forEach(([px, py], k) => {
        expect(toX(px)).toBeCloseTo(g.classMeans[k][0], 3);
        expect(toY(py)).toBeCloseTo(g.classMeans[k][1], 3);
      });
      const samples = [...panel.querySelectorAll('path.sample')].map((p) => circleCentre(p.getAttribute('d') ?? ''));
      expect(samples).toHaveLength(g.samples.length);
      for (const [px, py] of samples) {
        expect(px).toBeGreaterThanOrEqual(0);
        expect(px).toBeLessThanOrEqual(GEOMETRY_PANEL_SIZE);
        expect(py).toBeGreaterThanOrEqual(0);
        expect(py).toBeLessThanOrEqual(GEOMETRY_PANEL_SIZE);
      }
      // the data fill the panel: the outermost mark reaches past half of the axis range on one side
      const reach = Math.max(...samples.flat().map((v) => Math.abs(v - GEOMETRY_PANEL_SIZE / 2)));
      expect(reach).toBeGreaterThan(GEOMETRY_PANEL_SIZE / 4);
    });
  });

  it('panelGeometry places a collapsed pair mean exactly on the theory prediction', () => {
    const g = panelGeometry(collapsed(1.75), 3, 'test');
    expect(g.pairMeans).toHaveLength(3);
    g.pairMeans.forEach((p, i) => {
      expect(g.predicted[i].set).toEqual(p.set);
      expect(p.xy[0]).toBeCloseTo(g.predicted[i].xy[0], 12);
      expect(p.xy[1]).toBeCloseTo(g.predicted[i].xy[1], 12);
    });
    // ETF means project to unit length; arrows are rescaled to 0.72 of that
    g.classMeans.forEach((m) => expect(Math.hypot(...m)).toBeCloseTo(1, 12));
    g.arrows.forEach((a) => expect(Math.hypot(...a)).toBeCloseTo(0.72, 12));
  });

  it('draws row-major Matrix inputs exactly like arrays of rows', () => {
    const s = collapsed(1.5);
    const flat = (rows: readonly (readonly number[])[]) => matrix(rows.length, rows[0].length, Float64Array.from(rows.flat()));
    const a = geometryFigure(one(s));
    const b = geometryFigure(one({ ...s, features: flat(s.features as number[][]), classifier: flat(s.classifier as number[][]) }));
    expect(b).toBe(a);
  });

  it('labelSetColors colours every singleton and each given set once, in canonical label-set order', () => {
    const c = labelSetColors(3, [[1, 2], [0], [0, 1], [1, 2]]);
    expect(c.sets).toEqual([[0], [1], [2], [0, 1], [1, 2]]);
    expect(new Set(c.sets.map((s) => c.colorOf(s))).size).toBe(5);
    expect(c.colorOf([1, 2])).toBe(c.colorOf(Object.freeze([1, 2])));
  });

  it('panelGeometry treats a label set listed in any order as the same set', () => {
    const s = collapsed(1.5);
    const shuffled = panelGeometry({ ...s, labels: s.labels.map((l) => [...l].reverse()) }, 3, 'test');
    const sorted = panelGeometry(s, 3, 'test');
    expect(shuffled.pairMeans).toEqual(sorted.pairMeans);
    expect(shuffled.samples).toEqual(sorted.samples);
  });

  it('rejects bad snapshots with a FigureDataError naming the problem', () => {
    const s = syntheticGeometry(true, true, 1);
    expect(() => geometryFigure(one({ ...s, labels: s.labels.slice(1) }))).toThrow(/lengths differ/);
    expect(() => geometryFigure(one({ ...s, labels: s.labels.map((l) => (l.length === 1 && l[0] === 2 ? [0, 1] : l)) }))).toThrow(/class 2 has no single-label samples/);
    expect(() => geometryFigure(one({ ...s, labels: s.labels.map((l, i) => (i === 0 ? [3] : l)) }))).toThrow(/label 3, not in 0..2/);
    const bad = s.features.map((r) => [...r]);
    bad[5][2] = Number.NaN;
    expect(() => geometryFigure(one({ ...s, features: bad }))).toThrow(FigureDataError);
    expect(() => geometryFigure(one({ ...s, features: [] }))).toThrow(/features is empty/);
    expect(() => geometryFigure(one({ ...s, classifier: s.classifier.slice(1) }))).toThrow(/classifier has 2 rows/);
    expect(() => geometryFigure(one({ ...s, rho2: Infinity }))).toThrow(/rho2/);
    expect(() => geometryFigure({ ...one(s), rows: [] })).toThrow(/rows is empty/);
  });
});
