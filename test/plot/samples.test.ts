/**
 * Every figure rendered to PNG with resvg, read back pixel by pixel: the image has the SVG's size, is not blank, and
 * every colour its data marks use shows up in the pixels (a figure whose marks vanish — drawn off-canvas, zero-sized,
 * transparent — fails). With MLNC_FIG_DIR set, the SVGs and PNGs are also written there for inspection by eye.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ncCurvesFigure } from '../../src/plot/ncCurves.js';
import { svgToPng } from '../../src/plot/png.js';
import { geometryFigure } from '../../src/plot/geometry.js';
import { gramFigure } from '../../src/plot/gram.js';
import { rhoFigure } from '../../src/plot/rho.js';
import { comparisonTableFigure } from '../../src/plot/comparisonTable.js';
import { fixedVsLearnedFigure } from '../../src/plot/fixedVsLearned.js';
import { countColor, decodePng, inkFraction, parseColor, type Pixels } from './pngPixels.js';
import { canvasOffset, circleCentre, parseSvg, polylines } from './svgTestHelpers.js';
import {
  syntheticComparison, syntheticFixedVsLearned, syntheticGeometryInput, syntheticGram, syntheticHistory, syntheticRhoInput, syntheticRuns,
} from './sampleData.js';

const outDir = process.env.MLNC_FIG_DIR;
const SCALE = 1.5;

/** A canvas point (SVG user units) where a data mark must show its colour. */
interface Probe { readonly x: number; readonly y: number; readonly color: string }

/** Probes at the centres of circle markers (class means, UFM points), coloured by their fill. */
const circleProbes = (selector: string) => (root: Element): Probe[] => [...root.querySelectorAll(selector)].map((e) => {
  const [cx, cy] = circleCentre(e.getAttribute('d') ?? '');
  const [ox, oy] = canvasOffset(e);
  return { x: ox + cx, y: oy + cy, color: e.getAttribute('fill') ?? '' };
});

/** Probes just inside the top-left corner of rectangles (bars, heatmap cells; the centre may hold a value label). */
const rectProbes = (selector: string) => (root: Element): Probe[] => [...root.querySelectorAll(selector)].map((e) => {
  const [ox, oy] = canvasOffset(e);
  const x = Number(e.getAttribute('x') ?? 0);
  const y = Number(e.getAttribute('y') ?? 0);
  const h = Number(e.getAttribute('height'));
  // bars grow upwards from the axis, so probe near their base when they are short
  return { x: ox + x + 2, y: oy + y + Math.min(2, h / 2), color: e.getAttribute('fill') ?? '' };
});

/** Probes at the vertices of line series, coloured by their stroke. */
const seriesProbes = (selector: string) => (root: Element): Probe[] => [...root.querySelectorAll(selector)].flatMap((e) => {
  const [ox, oy] = canvasOffset(e);
  return polylines(e.getAttribute('d') ?? '').flat().map(([x, y]) => ({ x: ox + x, y: oy + y, color: e.getAttribute('stroke') ?? '' }));
});

/** True when a pixel within one pixel of the probe has the probe's colour. */
function probeHit(px: Pixels, p: Probe): boolean {
  const [r, g, b] = parseColor(p.color);
  const cx = Math.round(p.x * SCALE);
  const cy = Math.round(p.y * SCALE);
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const x = cx + dx, y = cy + dy;
      if (x < 0 || y < 0 || x >= px.width || y >= px.height) continue;
      const i = 4 * (y * px.width + x);
      if (Math.abs(px.rgba[i] - r) <= 12 && Math.abs(px.rgba[i + 1] - g) <= 12 && Math.abs(px.rgba[i + 2] - b) <= 12) return true;
    }
  }
  return false;
}

/**
 * Renders the SVG to PNG, reads the pixels back and checks: the image has the SVG's size (×SCALE), it is neither blank
 * nor solid, and at least `minHit` of the probes (points where a data mark is drawn) show that mark's colour.
 * Returns the share of non-white pixels.
 */
function renderAndCheck(name: string, svg: string, probes: (root: Element) => Probe[], minHit = 0.9): number {
  const png = svgToPng(svg, { scale: SCALE });
  const px = decodePng(png);
  const root = parseSvg(svg);
  expect(px.width).toBe(Math.round(Number(root.getAttribute('width')) * SCALE));
  expect(px.height).toBe(Math.round(Number(root.getAttribute('height')) * SCALE));
  const ink = inkFraction(px);
  expect(ink).toBeGreaterThan(0.02);
  expect(ink).toBeLessThan(0.8);
  const ps = probes(root);
  expect(ps.length).toBeGreaterThan(0);
  const hits = ps.filter((p) => probeHit(px, p)).length;
  expect(hits / ps.length, `${hits} of ${ps.length} data-mark probes show their colour`).toBeGreaterThanOrEqual(minHit);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${name}.svg`), svg);
    writeFileSync(join(outDir, `${name}.png`), png);
  }
  return ink;
}

describe('svgToPng of every figure', () => {
  it('renders the NC curves with their series visible along their paths', () => {
    renderAndCheck('nc-curves', ncCurvesFigure({ title: 'Neural collapse during training (synthetic)', xLabel: 'epoch', runs: syntheticRuns() }), seriesProbes('path.series'), 0.8);
  });

  it('renders a long gradient-descent history (no markers, exact zeros) with its series visible', () => {
    const records = syntheticHistory(20000, 100, 1, 21).map((r) => ({ step: r.step, nc1: r.nc1, nc2W: r.nc2W, nc2H: r.nc2H, nc3: r.nc3, rhoRelError: { 2: r.rhoRelError?.[2] } }));
    renderAndCheck('nc-curves-gd', ncCurvesFigure({ title: 'UFM gradient descent, K = 4 (synthetic)', xLabel: 'iteration', runs: [{ label: 'UFM GD, learned W', records }], columns: 3 }), seriesProbes('path.series'));
  });

  it('renders the geometry picture with every class mean visible where it is drawn', () => {
    renderAndCheck('geometry', geometryFigure(syntheticGeometryInput()), circleProbes('path.class-mean'));
  });

  it('renders the ρ figure with every UFM point visible', () => {
    renderAndCheck('rho', rhoFigure(syntheticRhoInput()), circleProbes('path.point.ufm'));
  });

  it('renders the Gram heatmaps with every cell in its colour, for K = 4 and K = 12', () => {
    renderAndCheck('gram', gramFigure(syntheticGram(4, 7)), rectProbes('rect.cell'));
    renderAndCheck('gram-k12', gramFigure(syntheticGram(12, 8)), rectProbes('rect.cell'));
  });

  it('renders the fixed-vs-learned figure with every bar in its colour', () => {
    renderAndCheck('fixed-vs-learned', fixedVsLearnedFigure(syntheticFixedVsLearned()), rectProbes('rect.bar'));
  });

  it('renders the comparison table with its text visible', () => {
    const svg = comparisonTableFigure(syntheticComparison());
    renderAndCheck('comparison-table', svg, rectProbes('g.table-header rect'), 1);
    const px = decodePng(svgToPng(svg, { scale: SCALE }));
    const text = parseColor(parseSvg(svg).querySelector('g.table-row text')?.getAttribute('fill') ?? '');
    expect(countColor(px, text)).toBeGreaterThan(1000);
  });
});

describe('the PNG check itself', () => {
  it('fails a figure whose marks are drawn off the canvas', () => {
    const svg = geometryFigure(syntheticGeometryInput()).replace(/class="plot-area"/g, 'class="plot-area" transform="translate(100000,0)"');
    expect(() => renderAndCheck('off-canvas', svg, circleProbes('path.class-mean'))).toThrow(/data-mark probes show their colour/);
  });
});
