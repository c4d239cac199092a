import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { legendLayout } from '../../src/plot/legend.js';
import { arrowPaths, markerPath } from '../../src/plot/marks.js';
import { subscript, textWidth, wrapText } from '../../src/plot/text.js';
import { roundPath } from './svgTestHelpers.js';

const words = fc.array(fc.stringMatching(/^[a-zA-Z0-9]{1,12}$/), { minLength: 1, maxLength: 40 });

describe('text layout', () => {
  it('wraps without losing words and keeps multi-word lines within the width', () => {
    fc.assert(fc.property(words, fc.integer({ min: 60, max: 600 }), (ws, maxW) => {
      const lines = wrapText(ws.join(' '), maxW, 13);
      const ok = lines.every((l) => !l.includes(' ') || textWidth(l, 13) <= maxW);
      return ok && lines.join(' ') === ws.join(' ');
    }), { numRuns: 100, seed: 5 });
  });

  it('estimates wider text for wider glyphs and scales with font size', () => {
    expect(textWidth('MMM', 12)).toBeGreaterThan(textWidth('iii', 12));
    expect(textWidth('abc', 24)).toBeCloseTo(2 * textWidth('abc', 12), 12);
    expect(subscript(23)).toBe('₂₃');
  });
});

describe('legend layout', () => {
  it('flows entries into rows that fit the width (a lone over-wide entry gets its own row)', () => {
    fc.assert(fc.property(words, fc.integer({ min: 80, max: 800 }), (labels, maxW) => {
      const L = legendLayout(labels, { maxWidth: maxW, fontSize: 12 });
      if (L.positions.length !== labels.length) return false;
      return labels.every((l, i) => {
        const p = L.positions[i];
        const w = 26 + 6 + textWidth(l, 12);
        return p.x === 0 || p.x + w <= maxW;
      }) && L.height > 0;
    }), { numRuns: 100, seed: 6 });
    expect(legendLayout([], { maxWidth: 100 }).height).toBe(0);
  });
});

describe('marks', () => {
  it('ends an arrow head exactly at the target, the shaft at the head base', () => {
    // horizontal arrow (0,0)→(100,0), head 10: shaft to (90,0), head triangle (100,0),(90,±4.5)
    const { shaft, head } = arrowPaths(0, 0, 100, 0, 10);
    expect(roundPath(shaft)).toBe('M0,0L90,0');
    expect(roundPath(head)).toBe('M100,0L90,4.5L90,-4.5Z');
    expect(arrowPaths(5, 5, 5, 5)).toEqual({ shaft: '', head: '' });
  });

  it('draws closed markers centred on the point', () => {
    expect(markerPath('square', 10, 10, 5)).toBe('M5.5,5.5H14.5V14.5H5.5Z');
    expect(markerPath('circle', 0, 0, 2)).toBe('M-2,0A2,2,0,1,0,2,0A2,2,0,1,0,-2,0Z');
    for (const s of ['triangle', 'diamond', 'cross'] as const) expect(markerPath(s, 0, 0, 3).endsWith('Z')).toBe(true);
  });
});
