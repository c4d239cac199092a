import { describe, expect, it } from 'vitest';
import { FigureDataError } from '../../src/plot/figureDataError.js';
import { rhoFigure, type RhoInput } from '../../src/plot/rho.js';
import { axisInverse, circleCentre, count, expectStandaloneSvg, legendLabels, roundPath } from './svgTestHelpers.js';
import { syntheticRhoInput } from './sampleData.js';

const tiny = (): RhoInput => ({
  title: 'rho', xLabel: 'λ_H',
  theory: [{ m: 2, x: [1e-3, 1e-1], rho: [1.2, 1.8] }],
});

describe('rhoFigure', () => {
  it('draws theory curves, UFM and network markers with error bars, and the bounds', () => {
    const root = expectStandaloneSvg(rhoFigure(syntheticRhoInput()));
    expect(count(root, 'path.series.theory')).toBe(2);
    expect(count(root, 'path.point.ufm')).toBe(8);
    expect(count(root, 'path.point.network')).toBe(4);
    expect(count(root, 'path.error-bar')).toBe(4);
    expect(count(root, 'line.bound')).toBe(3); // ρ = 1, ρ₂ = 2, ρ₃ = 3
    expect(count(root, 'g.axis')).toBe(2);
    expect(legendLabels(root)).toEqual(['m = 2', 'm = 3', 'theory (reduced problem)', 'UFM optimum (gradient descent)',
      'trained network ρ̂ ± std', 'bounds 1 < ρ_m < m']);
    expect(root.querySelector('text.axis-label-bottom')?.textContent).toBe('feature penalty λ_H (log scale)');
    // the theory has a gap where no collapsed optimum exists (null at large λ)
    const d = root.querySelector('path.series.theory')?.getAttribute('d') ?? '';
    expect(d.match(/M/g)?.length).toBe(1);
    expect(d.match(/L/g)?.length).toBe(syntheticRhoInput().theory[0].rho.filter((r) => r !== null).length - 1);
  });

  it('draws every UFM point at its (λ, ρ), read back through the axes', () => {
    const input = syntheticRhoInput();
    const root = expectStandaloneSvg(rhoFigure(input));
    const toX = axisInverse(root.querySelector('g.axis-bottom') as Element, true);
    const toY = axisInverse(root.querySelector('g.axis-left') as Element);
    expect(root.querySelector('text.axis-label-left')?.textContent).toBe('tag-wise scale ρ_m');
    const expected = input.ufm.flatMap((p) => p.x.map((x, i) => [x, p.rho[i]]));
    const drawn = [...root.querySelectorAll('path.point.ufm')].map((p) => circleCentre(p.getAttribute('d') ?? ''));
    expect(drawn).toHaveLength(expected.length);
    drawn.forEach(([px, py], i) => {
      expect(Math.log10(toX(px))).toBeCloseTo(Math.log10(expected[i][0]), 4);
      expect(toY(py)).toBeCloseTo(expected[i][1], 4);
    });
  });

  it('maps a 2-point theory curve onto the ends of the log x axis (hand-derived x pixels)', () => {
    const root = expectStandaloneSvg(rhoFigure(tiny()));
    const d = roundPath(root.querySelector('path.series.theory')?.getAttribute('d') ?? '');
    // x domain [1e-3, 1e-1] → [0, 560]; the y pixels depend on the niced domain, so only x is fixed by hand here
    expect(d).toMatch(/^M0,[\d.]+L560,[\d.]+$/);
    const ys = d.match(/,([\d.]+)/g)?.map((s) => Number(s.slice(1))) ?? [];
    expect(ys[0]).toBeGreaterThan(ys[1]); // larger ρ is higher up
  });

  it('rejects bad input with a FigureDataError naming the problem', () => {
    const t = tiny();
    expect(() => rhoFigure({ ...t, theory: [] })).toThrow(/theory curves is empty/);
    expect(() => rhoFigure({ ...t, theory: [{ m: 2, x: [1, 2], rho: [1.5] }] })).toThrow(/lengths differ/);
    expect(() => rhoFigure({ ...t, theory: [{ m: 2, x: [1, 2], rho: [1.5, Number.NaN] }] })).toThrow(FigureDataError);
    expect(() => rhoFigure({ ...t, theory: [{ m: 2, x: [0, 2], rho: [1.5, 1.6] }] })).toThrow(/log axis/);
    expect(() => rhoFigure({ ...t, theory: [{ m: 1, x: [1, 2], rho: [1.5, 1.6] }] })).toThrow(/multiplicity/);
    expect(() => rhoFigure({ ...t, theory: [{ m: 2, x: [1, 2], rho: [null, null] }] })).toThrow(/no values/);
    expect(() => rhoFigure({ ...t, ufm: [{ m: 2, x: [1e-2], rho: [Infinity] }] })).toThrow(/rho\[0\]/);
    expect(() => rhoFigure({ ...t, network: [{ m: 2, x: [1e-2], rho: [1.5], std: [-0.1] }] })).toThrow(/negative/);
    expect(() => rhoFigure({ ...t, network: [{ m: 2, x: [1e-2, 1e-3], rho: [1.5, 1.4], std: [0.1] }] })).toThrow(/x vs std/);
    expect(() => rhoFigure({ ...t, xScale: 'linear', theory: [{ m: 2, x: [0, 2], rho: [1.5, 1.6] }] })).not.toThrow();
  });
});
