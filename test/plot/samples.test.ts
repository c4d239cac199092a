/**
 * Every figure renders to a PNG with resvg (non-trivial size, PNG signature). With MLNC_FIG_DIR set, the SVGs and PNGs
 * are also written there for inspection by eye.
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
import {
  syntheticComparison, syntheticFixedVsLearned, syntheticGeometryInput, syntheticGram, syntheticHistory, syntheticRhoInput, syntheticRuns,
} from './sampleData.js';

const outDir = process.env.MLNC_FIG_DIR;

function renderAndCheck(name: string, svg: string): void {
  const png = svgToPng(svg, { scale: 1.5 });
  expect(png.length).toBeGreaterThan(10_000);
  expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${name}.svg`), svg);
    writeFileSync(join(outDir, `${name}.png`), png);
  }
}

describe('figures render to PNG with resvg', () => {
  it('NC curves', () => {
    renderAndCheck('nc-curves', ncCurvesFigure({ title: 'Neural collapse during training (synthetic)', xLabel: 'epoch', runs: syntheticRuns() }));
  });
  it('NC curves of a long gradient-descent history (no markers, exact zeros)', () => {
    const records = syntheticHistory(20000, 100, 1, 21).map((r) => ({ step: r.step, nc1: r.nc1, nc2W: r.nc2W, nc2H: r.nc2H, nc3: r.nc3, rhoRelError: { 2: r.rhoRelError?.[2] } }));
    renderAndCheck('nc-curves-gd', ncCurvesFigure({ title: 'UFM gradient descent, K = 4 (synthetic)', xLabel: 'iteration', runs: [{ label: 'UFM GD, learned W', records }], columns: 3 }));
  });
  it('geometry', () => {
    renderAndCheck('geometry', geometryFigure(syntheticGeometryInput()));
  });
  it('rho', () => {
    renderAndCheck('rho', rhoFigure(syntheticRhoInput()));
  });
  it('gram', () => {
    renderAndCheck('gram', gramFigure(syntheticGram(4, 7)));
    renderAndCheck('gram-k12', gramFigure(syntheticGram(12, 8)));
  });
  it('fixed vs learned', () => {
    renderAndCheck('fixed-vs-learned', fixedVsLearnedFigure(syntheticFixedVsLearned()));
  });
  it('comparison table', () => {
    renderAndCheck('comparison-table', comparisonTableFigure(syntheticComparison()));
  });
});
