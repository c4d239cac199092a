/** Test helpers: parse a figure as an XML SVG document (throws on malformed XML), round path numbers, count marks. */
import { JSDOM } from 'jsdom';
import { expect } from 'vitest';

/** Rounds every number in a path string to 3 decimals (d3's own test style), normalising -0 to 0. */
export function roundPath(d: string): string {
  return d.replace(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi, (s) => {
    const v = Math.round(Number(s) * 1000) / 1000;
    return String(Object.is(v, -0) ? 0 : v);
  });
}

/** Parses the SVG as image/svg+xml (jsdom's XML parser rejects anything malformed) and returns its root. */
export function parseSvg(svg: string): Element {
  const dom = new JSDOM(svg, { contentType: 'image/svg+xml' });
  const root = dom.window.document.documentElement;
  expect(root.localName).toBe('svg');
  expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
  return root as unknown as Element;
}

/** The standalone-file checks every figure must pass; returns the parsed root. */
export function expectStandaloneSvg(svg: string): Element {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.match(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g)?.length).toBe(1);
  expect(svg).not.toMatch(/&nbsp;|<html|<body/);
  const root = parseSvg(svg);
  const w = Number(root.getAttribute('width'));
  const h = Number(root.getAttribute('height'));
  expect(w).toBeGreaterThan(100);
  expect(h).toBeGreaterThan(100);
  expect(root.getAttribute('viewBox')).toBe(`0 0 ${w} ${h}`);
  expect(root.getAttribute('font-family')).toContain('DejaVu Sans');
  const bg = root.querySelector('rect.background');
  expect(bg?.getAttribute('fill')).toBe('white');
  expect(Number(bg?.getAttribute('height'))).toBe(h);
  expect(root.querySelector('text.figure-title')?.textContent?.length).toBeGreaterThan(0);
  return root;
}

export function count(root: Element, selector: string): number {
  return root.querySelectorAll(selector).length;
}

/** Texts of the legend entries, in order. */
export function legendLabels(root: Element): string[] {
  return [...root.querySelectorAll('g.legend-entry text')].map((t) => t.textContent ?? '');
}

const SUPERSCRIPT_DIGITS: Record<string, string> = { '⁻': '-', '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9' };

/** The number a tick label shows: "−0.5", "10⁻³", "2k" (d3's true minus sign, superscript powers, SI suffixes). */
export function tickValue(label: string): number {
  const t = label.replace(/−/g, '-');
  const pow = /^10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(t);
  if (pow) return 10 ** Number([...pow[1]].map((c) => SUPERSCRIPT_DIGITS[c]).join(''));
  const si = /^(-?[\d.]+)([kMG])$/.exec(t);
  if (si) return Number(si[1]) * { k: 1e3, M: 1e6, G: 1e9 }[si[2] as 'k' | 'M' | 'G'];
  const v = Number(t);
  if (!Number.isFinite(v)) throw new Error(`tick label "${label}" is not a number`);
  return v;
}

const D3_AXIS_OFFSET = 0.5;

/**
 * Pixel → data map of one d3 axis (a g.axis element), fitted through its first and last tick: the tick's `transform`
 * gives the pixel, its label the value. `log` for a log-scale axis.
 */
export function axisInverse(axis: Element, log = false): (pixel: number) => number {
  const ticks = [...axis.querySelectorAll('g.tick')].map((t) => {
    const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(t.getAttribute('transform') ?? '');
    if (!m) throw new Error('tick without a translate()');
    // d3-axis shifts ticks by half a pixel for crisp lines (no window.devicePixelRatio under Node)
    const pos = (axis.classList.contains('axis-bottom') ? Number(m[1]) : Number(m[2])) - D3_AXIS_OFFSET;
    return { pos, value: tickValue(t.querySelector('text')?.textContent ?? '') };
  });
  if (ticks.length < 2) throw new Error('an axis needs two ticks to be read');
  const a = ticks[0];
  const b = ticks[ticks.length - 1];
  const f = (v: number) => (log ? Math.log10(v) : v);
  return (pixel: number) => {
    const u = f(a.value) + ((pixel - a.pos) * (f(b.value) - f(a.value))) / (b.pos - a.pos);
    return log ? 10 ** u : u;
  };
}

/** Vertices of a path made of M/L commands (a d3 line), one polyline per M. */
export function polylines(d: string): [number, number][][] {
  return d.split('M').filter((s) => s.length > 0).map((part) => part.split('L').map((xy) => {
    const [x, y] = xy.split(',').map(Number);
    return [x, y] as [number, number];
  }));
}

/** Centre of a circle marker drawn by markerPath('circle', x, y, r): M x−r,y A … x+r,y A … x−r,y Z. */
export function circleCentre(d: string): [number, number] {
  const n = d.match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi)?.map(Number) ?? [];
  if (!d.startsWith('M') || n.length < 9) throw new Error(`not a circle marker: ${d}`);
  return [(n[0] + n[7]) / 2, n[1]];
}

/** The summed translate() of an element and its ancestors: where its local (0, 0) lies on the canvas. */
export function canvasOffset(el: Element): [number, number] {
  let x = 0;
  let y = 0;
  for (let e: Element | null = el; e; e = e.parentElement) {
    const m = /translate\(([-\d.e]+)[, ]\s*([-\d.e]+)\)/.exec(e.getAttribute('transform') ?? '');
    if (m) { x += Number(m[1]); y += Number(m[2]); }
  }
  return [x, y];
}
