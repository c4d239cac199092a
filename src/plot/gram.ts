/**
 * Figure 4: normalised Gram matrices next to the simplex-ETF target, as heatmaps sharing one diverging colour scale.
 * G(A) = AAᵀ/‖AAᵀ‖_F and E_K = (I − 11ᵀ/K)/√(K−1) (Frobenius norm 1), so ‖G(A) − E_K‖_F is the NC2 distance
 * (class means centred by their average first, as in NC2_H).
 */
import * as d3 from 'd3';
import { FigureDataError, requireMatrix } from './figureDataError.js';
import { toRows, type Rows } from './geometry.js';
import { createSvg, drawTitle, type Sel } from './svgDocument.js';
import { textWidth } from './text.js';
import { theme } from './theme.js';
import { formatLinearTick } from './ticks.js';

export interface GramInput {
  title: string;
  /** K×d classifier rows w_k. */
  W: Rows;
  /** K×d class means μ_k (multiplicity-1 features); centred by their average unless centreMeans is false. */
  classMeans: Rows;
  classNames?: readonly string[];
  /** Print cell values (default: K ≤ 10). */
  printValues?: boolean;
  /** Default true (NC2_H convention); false for the public code's uncentred variant. */
  centreMeans?: boolean;
}

/** AAᵀ/‖AAᵀ‖_F; throws when A is zero (no direction to normalise). */
export function normalizedGram(A: readonly (readonly number[])[]): number[][] {
  const G = A.map((a) => A.map((b) => a.reduce((s, v, j) => s + v * b[j], 0)));
  const f = Math.sqrt(G.reduce((s, r) => s + r.reduce((t, v) => t + v * v, 0), 0));
  if (!(f > 0)) throw new FigureDataError('gram: the matrix is zero, its normalised Gram is undefined');
  return G.map((r) => r.map((v) => v / f));
}

/** The simplex-ETF target E_K = (I − 11ᵀ/K)/√(K−1). */
export function etfTarget(K: number): number[][] {
  const s = 1 / Math.sqrt(K - 1);
  return Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => ((i === j ? 1 : 0) - 1 / K) * s));
}

export function centreRows(A: readonly (readonly number[])[]): number[][] {
  const K = A.length;
  const mean = A[0].map((_, j) => A.reduce((s, r) => s + r[j], 0) / K);
  return A.map((r) => r.map((v, j) => v - mean[j]));
}

export function frobeniusDistance(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): number {
  return Math.sqrt(A.reduce((s, r, i) => s + r.reduce((t, v, j) => t + (v - B[i][j]) ** 2, 0), 0));
}

/** Diverging colour: red for positive, blue for negative, white at 0; domain [−vmax, vmax]. */
export function divergingColor(v: number, vmax: number): string {
  const t = Math.max(-1, Math.min(1, v / vmax));
  return d3.interpolateRdBu(0.5 - t / 2);
}

export function gramFigure(input: GramInput): string {
  const W = toRows(input.W, 'gram W');
  const Mraw = toRows(input.classMeans, 'gram class means');
  const K = W.length;
  if (K < 2) throw new FigureDataError(`gram: need K ≥ 2 classes, got ${K}`);
  requireMatrix(W, 'gram W');
  requireMatrix(Mraw, 'gram class means');
  if (Mraw.length !== K) throw new FigureDataError(`gram: ${Mraw.length} class means but W has K = ${K} rows`);
  const names = input.classNames ?? Array.from({ length: K }, (_, k) => String(k + 1));
  if (names.length !== K) throw new FigureDataError(`gram: ${names.length} class names for K = ${K}`);
  const M = input.centreMeans === false ? Mraw : centreRows(Mraw);
  const E = etfTarget(K);
  const GW = normalizedGram(W);
  const GM = normalizedGram(M);
  const panels = [
    { title: 'classifier: W Wᵀ', sub: `‖G − E_K‖_F = ${frobeniusDistance(GW, E).toFixed(3)}`, G: GW },
    { title: input.centreMeans === false ? 'class means (uncentred)' : 'class means: M̃ M̃ᵀ', sub: `‖G − E_K‖_F = ${frobeniusDistance(GM, E).toFixed(3)}`, G: GM },
    { title: 'target: simplex ETF E_K', sub: `(I − 11ᵀ/K)/√(K−1), K = ${K}`, G: E },
  ];
  const vmax = d3.max(panels.flatMap((p) => p.G.flat()), (v) => Math.abs(v)) as number;
  const cell = Math.max(14, Math.min(48, Math.floor(300 / K)));
  const side = cell * K;
  const printValues = input.printValues ?? K <= 10;
  const labelW = Math.max(...names.map((n) => textWidth(n, theme.tickSize))) + 10;
  const gap = 46;
  const left = 20 + labelW;
  const barW = 16;
  const width = left + 3 * side + 2 * gap + 24 + barW + 96;
  const top = 48;
  const height = top + 40 + side + labelW + 20;
  const doc = createSvg(width, height, input.title);
  drawTitle(doc.svg, width, input.title);
  panels.forEach((p, i) => {
    const g = doc.svg.append('g').attr('class', 'panel').attr('transform', `translate(${left + i * (side + gap)},${top + 40})`);
    drawHeatmap(g, p.G, vmax, cell, names, printValues);
    g.append('text').attr('class', 'panel-title').attr('x', side / 2).attr('y', -26).attr('text-anchor', 'middle')
      .attr('font-size', theme.panelTitleSize).attr('font-weight', 'bold').text(p.title);
    g.append('text').attr('class', 'panel-subtitle').attr('x', side / 2).attr('y', -9).attr('text-anchor', 'middle')
      .attr('font-size', theme.noteSize).attr('fill', theme.muted).text(p.sub);
  });
  drawColorBar(doc.svg.append('g').attr('class', 'legend colorbar').attr('transform', `translate(${left + 3 * side + 2 * gap + 24},${top + 40})`), vmax, barW, side);
  return doc.serialize();
}

function drawHeatmap(g: Sel, G: number[][], vmax: number, cell: number, names: readonly string[], printValues: boolean): void {
  const K = G.length;
  const fs = Math.min(theme.tickSize, Math.floor(cell / 3.4));
  G.forEach((row, i) => row.forEach((v, j) => {
    g.append('rect').attr('class', 'cell').attr('x', j * cell).attr('y', i * cell).attr('width', cell).attr('height', cell)
      .attr('fill', divergingColor(v, vmax)).attr('stroke', 'white').attr('stroke-width', 0.5);
    if (printValues) {
      g.append('text').attr('class', 'cell-value').attr('x', (j + 0.5) * cell).attr('y', (i + 0.5) * cell).attr('dy', fs * 0.35)
        .attr('text-anchor', 'middle').attr('font-size', fs).attr('fill', Math.abs(v) > 0.55 * vmax ? 'white' : theme.text)
        .text(d3.format('.2f')(v).replace('-', '−'));
    }
  }));
  g.append('rect').attr('class', 'frame').attr('width', K * cell).attr('height', K * cell).attr('fill', 'none').attr('stroke', theme.axis);
  const axisLeft = g.append('g').attr('class', 'axis axis-left').attr('font-size', theme.tickSize);
  const axisBottom = g.append('g').attr('class', 'axis axis-bottom').attr('font-size', theme.tickSize);
  names.forEach((n, k) => {
    axisLeft.append('text').attr('x', -6).attr('y', (k + 0.5) * cell).attr('dy', theme.tickSize * 0.35).attr('text-anchor', 'end').text(n);
    axisBottom.append('text').attr('x', (k + 0.5) * cell).attr('y', K * cell + 6 + theme.tickSize * 0.8).attr('text-anchor', 'middle').text(n);
  });
  g.append('text').attr('class', 'axis-label').attr('x', (K * cell) / 2).attr('y', K * cell + 38).attr('text-anchor', 'middle')
    .attr('font-size', theme.labelSize).text('class');
}

function drawColorBar(g: Sel, vmax: number, w: number, h: number): void {
  const steps = 64;
  for (let s = 0; s < steps; s++) {
    const v = vmax - ((s + 0.5) / steps) * 2 * vmax;
    g.append('rect').attr('x', 0).attr('y', (s * h) / steps).attr('width', w).attr('height', h / steps + 0.5).attr('fill', divergingColor(v, vmax));
  }
  g.append('rect').attr('width', w).attr('height', h).attr('fill', 'none').attr('stroke', theme.axis);
  const y = d3.scaleLinear().domain([-vmax, vmax]).range([h, 0]);
  const ticks = y.ticks(5);
  const axis = g.append('g').attr('class', 'axis axis-colorbar').attr('font-size', theme.tickSize);
  for (const t of ticks) {
    axis.append('line').attr('x1', w).attr('x2', w + 5).attr('y1', y(t)).attr('y2', y(t)).attr('stroke', theme.axis);
    axis.append('text').attr('x', w + 8).attr('y', y(t)).attr('dy', theme.tickSize * 0.35).text(formatLinearTick(t));
  }
  g.append('text').attr('class', 'axis-label').attr('transform', `translate(${w + 52},${h / 2}) rotate(90)`).attr('text-anchor', 'middle')
    .attr('font-size', theme.labelSize).text('normalised Gram entry');
}
