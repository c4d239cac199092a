/** One jsdom document per figure, serialised with XMLSerializer so the result is a standalone SVG file. */
import * as d3 from 'd3';
import { JSDOM } from 'jsdom';
import { theme } from './theme.js';

export const SVG_NS = 'http://www.w3.org/2000/svg';

export type Sel<E extends d3.BaseType = SVGGElement> = d3.Selection<E, unknown, null, undefined>;

export interface SvgDocument {
  readonly svg: Sel<SVGSVGElement>;
  /** The figure as an SVG file's text (well-formed XML, xmlns once, no HTML entities). */
  serialize(): string;
}

export function createSvg(width: number, height: number, title: string): SvgDocument {
  const dom = new JSDOM('<!DOCTYPE html><body></body>');
  const body = dom.window.document.body as unknown as HTMLElement;
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  const svg = d3
    .select(body)
    .append<SVGSVGElement>('svg')
    .attr('xmlns', SVG_NS)
    .attr('width', w)
    .attr('height', h)
    .attr('viewBox', `0 0 ${w} ${h}`)
    .attr('font-family', theme.fontFamily)
    .attr('font-size', theme.tickSize)
    .attr('fill', theme.text);
  svg.append('title').text(title);
  svg.append('rect').attr('class', 'background').attr('width', w).attr('height', h).attr('fill', 'white');
  return {
    svg,
    serialize: () => new dom.window.XMLSerializer().serializeToString(svg.node() as unknown as Node),
  };
}

/** The figure title, centred at the top. */
export function drawTitle(svg: Sel<SVGSVGElement>, width: number, title: string): void {
  svg
    .append('text')
    .attr('class', 'figure-title')
    .attr('x', width / 2)
    .attr('y', 24)
    .attr('text-anchor', 'middle')
    .attr('font-size', theme.titleSize)
    .attr('font-weight', 'bold')
    .text(title);
}
