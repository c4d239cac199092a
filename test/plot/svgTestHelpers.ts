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
