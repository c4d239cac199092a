/** One line-chart panel (used by the NC-curve small multiples): scales and path strings are pure, drawing is separate. */
import * as d3 from 'd3';
import { drawAxis, drawAxisLabel } from './axes.js';
import { FigureDataError } from './figureDataError.js';
import { markerPath } from './marks.js';
import type { Sel } from './svgDocument.js';
import { textWidth } from './text.js';
import { theme } from './theme.js';
import { clampToFloor, formatLinearTick, formatLogTick, formatPow10, logDomain, logTicks } from './ticks.js';

export interface XY {
  x: number;
  /** null = missing (a gap in the line). */
  y: number | null;
}

export interface LineSeries {
  label: string;
  color: string;
  points: readonly XY[];
  dash?: string;
  /** A shaded band around the line (e.g. the spread over seeds); null bounds are gaps. */
  band?: readonly Band[];
}

export interface Band {
  x: number;
  lo: number | null;
  hi: number | null;
}

export interface LinePanelSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Log-scale y with values below `floor` (exact zeros included) drawn at the floor. */
  logY: boolean;
  floor: number;
  /** Draw a marker at every point (sparse histories, e.g. every 20 epochs). */
  markers: boolean;
}

export interface PanelScales {
  x: d3.ScaleLinear<number, number>;
  y: d3.ScaleLogarithmic<number, number> | d3.ScaleLinear<number, number>;
  /** Some finite value lay below the floor and was clamped to it. */
  clamped: boolean;
}

/**
 * x: the exact data extent mapped to [0, width] (no padding, so the first and last step sit on the panel edges).
 * y (log): the clamped extent widened to whole decades, mapped to [height, 0]. y (linear): extent, niced.
 */
export function panelScales(spec: LinePanelSpec, width: number, height: number): PanelScales {
  const xs: number[] = [];
  const ys: number[] = [];
  let clamped = false;
  for (const s of spec.series) {
    const values = [...s.points, ...(s.band ?? []).flatMap((b) => [{ x: b.x, y: b.lo }, { x: b.x, y: b.hi }])];
    for (const p of values) {
      xs.push(p.x);
      if (p.y === null) continue;
      if (spec.logY && p.y < 0) {
        throw new FigureDataError(`${spec.title}: negative value ${p.y} of "${s.label}" cannot go on a log axis`);
      }
      if (spec.logY && p.y < spec.floor) clamped = true;
      ys.push(spec.logY ? clampToFloor(p.y, spec.floor) : p.y);
    }
  }
  if (ys.length === 0) throw new FigureDataError(`${spec.title}: no values to plot`);
  let [x0, x1] = d3.extent(xs) as [number, number];
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  const x = d3.scaleLinear().domain([x0, x1]).range([0, width]);
  const [lo, hi] = d3.extent(ys) as [number, number];
  if (spec.logY) {
    return { x, y: d3.scaleLog().domain(logDomain(lo, hi)).range([height, 0]), clamped };
  }
  const y = d3.scaleLinear().domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi]).range([height, 0]).nice(5);
  return { x, y, clamped };
}

/** The `d` of a band's area: gaps where a bound is null; on a log scale bounds below the floor are drawn at it. */
export function bandPath(band: readonly Band[], x: (v: number) => number, y: (v: number) => number, floor: number | null): string {
  const at = (v: number) => y(floor === null ? v : clampToFloor(v, floor));
  const area = d3
    .area<Band>()
    .defined((b) => b.lo !== null && b.hi !== null)
    .x((b) => x(b.x))
    .y0((b) => at(b.lo as number))
    .y1((b) => at(b.hi as number));
  return area(band as Band[]) ?? '';
}

/** The `d` of one series: gaps at null values; on a log scale values below the floor are drawn at the floor. */
export function seriesPath(
  points: readonly XY[],
  x: (v: number) => number,
  y: (v: number) => number,
  floor: number | null,
): string {
  const line = d3
    .line<XY>()
    .defined((p) => p.y !== null)
    .x((p) => x(p.x))
    .y((p) => y(floor === null ? (p.y as number) : clampToFloor(p.y as number, floor)));
  return line(points as XY[]) ?? '';
}

export const PANEL_MARGIN = { top: 28, right: 14, bottom: 46, left: 66 } as const;

/** Draws the panel with its plot area at g's origin (the caller leaves PANEL_MARGIN around it). */
export function drawLinePanel(g: Sel, spec: LinePanelSpec, width: number, height: number): void {
  const { x, y, clamped } = panelScales(spec, width, height);
  const panel = g.append('g').attr('class', 'panel');
  panel.append('text').attr('class', 'panel-title').attr('x', width / 2).attr('y', -12).attr('text-anchor', 'middle')
    .attr('font-size', theme.panelTitleSize).attr('font-weight', 'bold').text(spec.title);
  const yTicks = spec.logY ? logTicks(y.domain() as [number, number], 5) : (y as d3.ScaleLinear<number, number>).ticks(5);
  const xTicks = x.ticks(5);
  const yAxisG = panel.append('g');
  drawAxis(yAxisG, { scale: y, orient: 'left', tickValues: yTicks, format: spec.logY ? formatLogTick : formatLinearTick, length: width, grid: true });
  const xAxisG = panel.append('g').attr('transform', `translate(0,${height})`);
  drawAxis(xAxisG, { scale: x, orient: 'bottom', tickValues: xTicks, format: formatLinearTick, length: height, grid: true });
  drawAxisLabel(panel, 'bottom', spec.xLabel, width, height, 38);
  drawAxisLabel(panel, 'left', spec.logY ? `${spec.yLabel} (log scale)` : spec.yLabel, width, height, 50);
  const plot = panel.append('g').attr('class', 'plot-area');
  // Bands first, so that every line stays visible on top of every band.
  for (const s of spec.series) {
    if (!s.band) continue;
    const d = bandPath(s.band, x, y, spec.logY ? spec.floor : null);
    if (d !== '') plot.append('path').attr('class', 'band').attr('data-series', s.label).attr('d', d).attr('fill', s.color).attr('fill-opacity', 0.18).attr('stroke', 'none');
  }
  for (const s of spec.series) {
    const d = seriesPath(s.points, x, y, spec.logY ? spec.floor : null);
    if (d === '') continue;
    const path = plot.append('path').attr('class', 'series').attr('data-series', s.label).attr('d', d)
      .attr('fill', 'none').attr('stroke', s.color).attr('stroke-width', theme.lineWidth).attr('stroke-linejoin', 'round');
    if (s.dash) path.attr('stroke-dasharray', s.dash);
    // A point with gaps on both sides has no line segment: always mark those, and every point when asked.
    s.points.forEach((p, i) => {
      if (p.y === null) return;
      const isolated = (i === 0 || s.points[i - 1].y === null) && (i === s.points.length - 1 || s.points[i + 1].y === null);
      if (!spec.markers && !isolated && !(spec.logY && p.y < spec.floor)) return;
      const isClamped = spec.logY && p.y < spec.floor;
      const yy = isClamped ? spec.floor : p.y;
      // clamped points are hollow, so a drawn-at-floor value is not mistaken for a measured one
      plot.append('path').attr('class', isClamped ? 'point clamped' : 'point').attr('data-series', s.label)
        .attr('d', markerPath('circle', x(p.x), y(yy), 3.2)).attr('fill', isClamped ? 'white' : s.color)
        .attr('stroke', isClamped ? s.color : 'white').attr('stroke-width', isClamped ? 1.5 : 0.8);
    });
  }
  if (clamped) {
    const e = Math.round(Math.log10(spec.floor));
    const floorText = Math.abs(10 ** e - spec.floor) < 1e-12 * spec.floor ? formatPow10(e) : String(spec.floor);
    const note = `○ values < ${floorText} (incl. 0) drawn at ${floorText}`;
    // bottom-left: the emptiest corner of a decaying curve; a white backdrop keeps it readable anyway
    const tw = textWidth(note, theme.noteSize);
    panel.append('rect').attr('class', 'floor-note-bg').attr('x', 3).attr('y', height - theme.noteSize - 9).attr('width', tw + 6)
      .attr('height', theme.noteSize + 6).attr('fill', 'white').attr('fill-opacity', 0.85);
    panel.append('text').attr('class', 'floor-note').attr('x', 6).attr('y', height - 7).attr('text-anchor', 'start')
      .attr('font-size', theme.noteSize).attr('fill', theme.muted).text(note);
  }
}
