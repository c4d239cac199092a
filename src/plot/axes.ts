/** Axes drawn with d3-axis into g.axis groups, restyled to the theme (d3-axis defaults to 10px sans-serif). */
import * as d3 from 'd3';
import type { Sel } from './svgDocument.js';
import { theme } from './theme.js';

export type AnyScale = d3.AxisScale<number>;

export interface AxisSpec {
  scale: AnyScale;
  orient: 'bottom' | 'left';
  tickValues: readonly number[];
  format: (v: number) => string;
  /** Panel size, used for gridlines across the plot area. */
  length: number;
  grid?: boolean;
}

export function drawAxis(g: Sel, spec: AxisSpec): Sel {
  const axis = spec.orient === 'bottom' ? d3.axisBottom(spec.scale) : d3.axisLeft(spec.scale);
  axis.tickValues(spec.tickValues as number[]).tickFormat((v) => spec.format(Number(v))).tickSizeOuter(0);
  if (spec.grid) {
    const grid = g.append('g').attr('class', `grid grid-${spec.orient}`);
    for (const v of spec.tickValues) {
      const p = spec.scale(v) ?? 0;
      if (spec.orient === 'bottom') grid.append('line').attr('x1', p).attr('x2', p).attr('y1', 0).attr('y2', -spec.length);
      else grid.append('line').attr('x1', 0).attr('x2', spec.length).attr('y1', p).attr('y2', p);
    }
    grid.attr('stroke', theme.grid).attr('stroke-width', 1);
  }
  const a = g.append('g').attr('class', `axis axis-${spec.orient}`).call(axis);
  a.attr('font-size', theme.tickSize).attr('font-family', theme.fontFamily);
  a.selectAll('path.domain').attr('stroke', theme.axis);
  a.selectAll('.tick line').attr('stroke', theme.axis);
  a.selectAll('.tick text').attr('fill', theme.text);
  // resvg handles em offsets, but absolute ones keep spacing identical everywhere.
  if (spec.orient === 'bottom') a.selectAll('.tick text').attr('dy', theme.tickSize * 0.8);
  else a.selectAll('.tick text').attr('dy', theme.tickSize * 0.35);
  return a;
}

/** Axis label: centred under the x axis, or rotated left of the y axis. */
export function drawAxisLabel(
  g: Sel,
  orient: 'bottom' | 'left',
  text: string,
  panelWidth: number,
  panelHeight: number,
  offset: number,
): void {
  const t = g.append('text').attr('class', `axis-label axis-label-${orient}`).attr('text-anchor', 'middle')
    .attr('font-size', theme.labelSize).attr('fill', theme.text).text(text);
  if (orient === 'bottom') t.attr('x', panelWidth / 2).attr('y', panelHeight + offset);
  else t.attr('transform', `translate(${-offset},${panelHeight / 2}) rotate(-90)`);
}
