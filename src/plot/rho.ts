/**
 * Figure 3: the tag-wise scale ρ_m (h_S − μ_G = ρ_m·(1/m)·Σ_{k∈S}(μ_k − μ_G), Li et al. 2024 multi-label UFM) against a
 * swept parameter: theory curves (one per multiplicity m), UFM optimiser points, trained networks' ρ̂ with ±std bars.
 * Faint reference lines at the bounds 1 < ρ_m < m.
 */
import * as d3 from 'd3';
import { drawAxis, drawAxisLabel } from './axes.js';
import { FigureDataError, requireFinite, requireFiniteOrNull, requireNonEmpty, requireSameLength } from './figureDataError.js';
import { drawLegend, type LegendItem } from './legend.js';
import { markerPath, type MarkerShape } from './marks.js';
import { createSvg, drawTitle } from './svgDocument.js';
import { subscript } from './text.js';
import { categoricalColor, theme } from './theme.js';
import { formatLinearTick, formatLogTick, logDomain, logTicks } from './ticks.js';

export interface RhoTheoryCurve {
  /** Multiplicity m ≥ 2. */
  m: number;
  x: readonly number[];
  /** ρ_m at each x; null where the theory has no collapsed optimum (e.g. the trivial point wins): a gap. */
  rho: readonly (number | null)[];
}

export interface RhoPoints {
  m: number;
  x: readonly number[];
  rho: readonly number[];
  /** Standard deviation of ρ̂ over label sets (error bars); null or absent = no bar. */
  std?: readonly (number | null)[];
}

export interface RhoInput {
  title: string;
  /** Swept parameter, e.g. "λ_H" or "n₂ / n₁". */
  xLabel: string;
  /** Default "log" (λ sweeps); "linear" for count ratios. */
  xScale?: 'log' | 'linear';
  theory: readonly RhoTheoryCurve[];
  /** UFM gradient-descent optima. */
  ufm?: readonly RhoPoints[];
  /** Measured ρ̂ of trained networks. */
  network?: readonly RhoPoints[];
  /** Legend labels of the three sources. */
  labels?: { theory?: string; ufm?: string; network?: string };
}

function checkM(m: number, what: string): void {
  if (!Number.isInteger(m) || m < 2) throw new FigureDataError(`${what}: multiplicity must be an integer ≥ 2, got ${m}`);
}

function checkPoints(p: RhoPoints, what: string, logX: boolean): void {
  checkM(p.m, what);
  requireNonEmpty(p.x, `${what} (m=${p.m}) x`);
  requireSameLength(p.x, p.rho, `${what} (m=${p.m}) x vs rho`);
  if (p.std) requireSameLength(p.x, p.std, `${what} (m=${p.m}) x vs std`);
  p.x.forEach((v, i) => {
    requireFinite(v, `${what} (m=${p.m}) x[${i}]`);
    if (logX && v <= 0) throw new FigureDataError(`${what} (m=${p.m}) x[${i}] = ${v} cannot go on a log axis`);
    requireFinite(p.rho[i], `${what} (m=${p.m}) rho[${i}]`);
    const s = requireFiniteOrNull(p.std?.[i], `${what} (m=${p.m}) std[${i}]`);
    if (s !== null && s < 0) throw new FigureDataError(`${what} (m=${p.m}) std[${i}] = ${s} is negative`);
  });
}

const PW = 560;
const PH = 360;
const M = { left: 78, right: 70, top: 20, bottom: 56 } as const;

export function rhoFigure(input: RhoInput): string {
  const logX = (input.xScale ?? 'log') === 'log';
  requireNonEmpty(input.theory, 'rho: theory curves');
  for (const c of input.theory) {
    checkM(c.m, 'rho theory');
    requireNonEmpty(c.x, `rho theory (m=${c.m}) x`);
    requireSameLength(c.x, c.rho, `rho theory (m=${c.m}) x vs rho`);
    c.x.forEach((v, i) => {
      requireFinite(v, `rho theory (m=${c.m}) x[${i}]`);
      if (logX && v <= 0) throw new FigureDataError(`rho theory (m=${c.m}) x[${i}] = ${v} cannot go on a log axis`);
      requireFiniteOrNull(c.rho[i], `rho theory (m=${c.m}) rho[${i}]`);
    });
    if (c.rho.every((r) => r === null)) throw new FigureDataError(`rho theory (m=${c.m}) has no values`);
  }
  (input.ufm ?? []).forEach((p) => checkPoints(p, 'rho UFM points', logX));
  (input.network ?? []).forEach((p) => checkPoints(p, 'rho network points', logX));

  const ms = [...new Set([...input.theory, ...(input.ufm ?? []), ...(input.network ?? [])].map((c) => c.m))].sort((a, b) => a - b);
  const color = (m: number) => categoricalColor(ms.indexOf(m));
  const xs = [...input.theory.flatMap((c) => c.x), ...(input.ufm ?? []).flatMap((p) => p.x), ...(input.network ?? []).flatMap((p) => p.x)];
  const ys: number[] = [1, ...ms];
  for (const c of input.theory) for (const r of c.rho) if (r !== null) ys.push(r);
  for (const p of [...(input.ufm ?? []), ...(input.network ?? [])]) p.rho.forEach((r, i) => { ys.push(r - (p.std?.[i] ?? 0), r + (p.std?.[i] ?? 0)); });

  const [xlo, xhi] = d3.extent(xs) as [number, number];
  const x = logX
    ? d3.scaleLog().domain(logDomain(xlo, xhi)).range([0, PW])
    : d3.scaleLinear().domain(xlo === xhi ? [xlo - 1, xhi + 1] : [xlo, xhi]).range([0, PW]).nice(6);
  const [ylo, yhi] = d3.extent(ys) as [number, number];
  const pad = 0.06 * (yhi - ylo || 1);
  const y = d3.scaleLinear().domain([ylo - pad, yhi + pad]).range([PH, 0]).nice(6);

  const lab = { theory: 'theory (reduced problem)', ufm: 'UFM optimum (gradient descent)', network: 'trained network ρ̂ ± std', ...input.labels };
  const legendItems: LegendItem[] = [
    ...ms.map((m) => ({ label: `m = ${m}`, color: color(m), swatch: 'rect' as const })),
    { label: lab.theory, color: theme.muted, swatch: 'line' },
    ...(input.ufm?.length ? [{ label: lab.ufm, color: theme.muted, swatch: 'circle' } as LegendItem] : []),
    ...(input.network?.length ? [{ label: lab.network, color: theme.muted, swatch: 'triangle' } as LegendItem] : []),
    { label: 'bounds 1 < ρ_m < m', color: theme.reference, swatch: 'dotted' },
  ];
  const width = PW + M.left + M.right + 20;
  const doc = createSvg(width, 1, input.title);
  drawTitle(doc.svg, width, input.title);
  const legendH = drawLegend(doc.svg.append('g').attr('transform', 'translate(10,40)'), legendItems, width - 20);
  const g = doc.svg.append('g').attr('class', 'panel').attr('transform', `translate(${10 + M.left},${44 + legendH + M.top})`);
  const xTicks = logX ? logTicks(x.domain() as [number, number], 8) : x.ticks(6);
  drawAxis(g.append('g'), { scale: y, orient: 'left', tickValues: y.ticks(6), format: formatLinearTick, length: PW, grid: true });
  drawAxis(g.append('g').attr('transform', `translate(0,${PH})`), { scale: x, orient: 'bottom', tickValues: xTicks, format: logX ? formatLogTick : formatLinearTick, length: PH, grid: true });
  drawAxisLabel(g, 'bottom', logX ? `${input.xLabel} (log scale)` : input.xLabel, PW, PH, 44);
  drawAxisLabel(g, 'left', 'tag-wise scale ρ_m', PW, PH, 52);
  const plot = g.append('g').attr('class', 'plot-area');

  // bounds: ρ = 1 for every m, ρ = m in each multiplicity's colour
  for (const level of [1, ...ms]) {
    const col = level === 1 ? theme.reference : d3.color(color(level))?.copy({ opacity: 0.6 }).formatRgb() ?? theme.reference;
    plot.append('line').attr('class', 'bound').attr('x1', 0).attr('x2', PW).attr('y1', y(level)).attr('y2', y(level))
      .attr('stroke', col).attr('stroke-width', 1.3).attr('stroke-dasharray', '2,3');
    plot.append('text').attr('class', 'bound-label').attr('x', PW + 6).attr('y', y(level)).attr('dy', 4)
      .attr('font-size', theme.noteSize).attr('fill', level === 1 ? theme.muted : color(level))
      .text(level === 1 ? 'ρ = 1' : `ρ${subscript(level)} = ${level}`);
  }
  for (const c of input.theory) {
    const pts = c.x.map((xv, i) => ({ x: xv, y: c.rho[i] }));
    const d = d3.line<{ x: number; y: number | null }>().defined((p) => p.y !== null).x((p) => x(p.x)).y((p) => y(p.y as number))(pts) ?? '';
    plot.append('path').attr('class', 'series theory').attr('data-m', c.m).attr('d', d)
      .attr('fill', 'none').attr('stroke', color(c.m)).attr('stroke-width', theme.lineWidth + 0.4);
  }
  const drawPoints = (sets: readonly RhoPoints[], shape: MarkerShape, cls: string) => {
    for (const p of sets) {
      p.x.forEach((xv, i) => {
        const s = p.std?.[i];
        if (s !== undefined && s !== null && s > 0) {
          const px = x(xv);
          plot.append('path').attr('class', 'error-bar').attr('d', `M${px},${y(p.rho[i] - s)}V${y(p.rho[i] + s)}M${px - 4},${y(p.rho[i] - s)}H${px + 4}M${px - 4},${y(p.rho[i] + s)}H${px + 4}`)
            .attr('stroke', color(p.m)).attr('stroke-width', 1.4).attr('fill', 'none');
        }
        plot.append('path').attr('class', `point ${cls}`).attr('data-m', p.m).attr('d', markerPath(shape, x(xv), y(p.rho[i]), 5))
          .attr('fill', color(p.m)).attr('stroke', 'black').attr('stroke-width', 0.9);
      });
    }
  };
  drawPoints(input.ufm ?? [], 'circle', 'ufm');
  drawPoints(input.network ?? [], 'triangle', 'network');
  const height = Math.ceil(44 + legendH + M.top + PH + M.bottom);
  doc.svg.attr('height', height).attr('viewBox', `0 0 ${Math.ceil(width)} ${height}`);
  doc.svg.select('rect.background').attr('height', height);
  return doc.serialize();
}
