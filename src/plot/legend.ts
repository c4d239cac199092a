/** Legend: a pure flow layout (entries left to right, wrapping) and a renderer producing g.legend-entry groups. */
import type { Sel } from './svgDocument.js';
import { textWidth } from './text.js';
import { theme } from './theme.js';
import { markerPath, type MarkerShape } from './marks.js';

export type SwatchKind = 'line' | 'dashed' | 'dotted' | 'arrow' | 'rect' | MarkerShape | `hollow-${MarkerShape}` | `line+${MarkerShape}`;

export interface LegendItem {
  label: string;
  color: string;
  swatch: SwatchKind;
  /** Marker swatches only: draw faint, like sample points. */
  opacity?: number;
}

export interface LegendLayoutOptions {
  fontSize?: number;
  maxWidth: number;
  swatchWidth?: number;
  gap?: number;
  rowHeight?: number;
}

export interface LegendLayout {
  positions: { x: number; y: number }[];
  width: number;
  height: number;
}

/** Positions of each entry (top-left of its swatch) when laid out in rows no wider than maxWidth. */
export function legendLayout(labels: readonly string[], opts: LegendLayoutOptions): LegendLayout {
  const fontSize = opts.fontSize ?? theme.legendSize;
  const sw = opts.swatchWidth ?? 26;
  const gap = opts.gap ?? 18;
  const rowH = opts.rowHeight ?? Math.round(fontSize * 1.6);
  const positions: { x: number; y: number }[] = [];
  let x = 0;
  let y = 0;
  let width = 0;
  for (const label of labels) {
    const w = sw + 6 + textWidth(label, fontSize);
    if (x > 0 && x + w > opts.maxWidth) {
      x = 0;
      y += rowH;
    }
    positions.push({ x, y });
    width = Math.max(width, x + w);
    x += w + gap;
  }
  return { positions, width, height: labels.length === 0 ? 0 : y + rowH };
}

/** Draws the legend centred horizontally in [0, maxWidth] at g's origin; returns its height. */
export function drawLegend(g: Sel, items: readonly LegendItem[], maxWidth: number): number {
  const layout = legendLayout(items.map((d) => d.label), { maxWidth });
  const lg = g.append('g').attr('class', 'legend').attr('font-size', theme.legendSize);
  // centre each row
  const rows = new Map<number, number>();
  layout.positions.forEach((p, i) => {
    const end = p.x + 32 + textWidth(items[i].label, theme.legendSize);
    rows.set(p.y, Math.max(rows.get(p.y) ?? 0, end));
  });
  items.forEach((item, i) => {
    const p = layout.positions[i];
    const shift = (maxWidth - (rows.get(p.y) ?? 0)) / 2;
    const e = lg.append('g').attr('class', 'legend-entry').attr('transform', `translate(${p.x + shift},${p.y})`);
    drawSwatch(e, item, 26, 9);
    e.append('text').attr('x', 32).attr('y', 9).attr('dy', theme.legendSize * 0.35).attr('fill', theme.text).text(item.label);
  });
  return layout.height;
}

function drawSwatch(e: Sel, item: LegendItem, w: number, cy: number): void {
  const s = item.swatch;
  const line = (dash?: string) => {
    const l = e.append('line').attr('x1', 0).attr('x2', w).attr('y1', cy).attr('y2', cy)
      .attr('stroke', item.color).attr('stroke-width', theme.lineWidth);
    if (dash) l.attr('stroke-dasharray', dash);
  };
  if (s === 'line') line();
  else if (s === 'dashed') line('6,4');
  else if (s === 'dotted') line('2,3');
  else if (s === 'arrow') {
    line();
    e.append('path').attr('d', `M${w},${cy}L${w - 8},${cy - 4}L${w - 8},${cy + 4}Z`).attr('fill', item.color);
  } else if (s === 'rect') {
    e.append('rect').attr('x', 4).attr('y', cy - 7).attr('width', w - 8).attr('height', 14).attr('fill', item.color);
  } else if (s.startsWith('line+')) {
    line();
    e.append('path').attr('d', markerPath(s.slice(5) as MarkerShape, w / 2, cy, 4.5)).attr('fill', item.color);
  } else if (s.startsWith('hollow-')) {
    e.append('path').attr('d', markerPath(s.slice(7) as MarkerShape, w / 2, cy, 5.5))
      .attr('fill', 'white').attr('stroke', item.color).attr('stroke-width', 1.8);
  } else {
    e.append('path').attr('d', markerPath(s as MarkerShape, w / 2, cy, 5.5)).attr('fill', item.color)
      .attr('fill-opacity', item.opacity ?? 1).attr('stroke', item.opacity !== undefined ? 'none' : 'white').attr('stroke-width', 0.8);
  }
}
