import { describe, expect, it } from 'vitest';
import { FigureDataError } from '../../src/plot/figureDataError.js';
import { comparisonTableFigure, formatCell, formatDifference } from '../../src/plot/comparisonTable.js';
import { count, expectStandaloneSvg } from './svgTestHelpers.js';
import { syntheticComparison } from './sampleData.js';

describe('comparisonTableFigure', () => {
  it('has a header, one row per quantity, and the verdict wrapped into lines', () => {
    const input = syntheticComparison();
    const root = expectStandaloneSvg(comparisonTableFigure(input));
    expect(count(root, 'g.table-row')).toBe(input.rows.length);
    const header = [...root.querySelectorAll('g.table-header text')].map((t) => t.textContent);
    expect(header).toEqual(['quantity', 'UFM prediction', 'network', 'difference', 'note']);
    const first = [...root.querySelectorAll('g.table-row')[0].querySelectorAll('text')].map((t) => t.textContent);
    expect(first).toEqual(['ρ₂ (tag-wise scale, m = 2)', '1.751', '1.69', '−0.0609 (−3.5%)', 'mean over 45 pairs']);
    const lines = [...root.querySelectorAll('text.verdict tspan')].map((t) => t.textContent);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' ')).toBe(`Verdict: ${input.verdict}`);
  });

  it('drops the note column when no row has a note', () => {
    const root = expectStandaloneSvg(comparisonTableFigure({ title: 't', rows: [{ label: 'NC1', ufm: 0, network: 0.1 }], verdict: 'ok' }));
    expect(count(root, 'g.table-header text')).toBe(4);
  });

  it('formatCell and formatDifference write dashes for missing values and signed percentages', () => {
    expect(formatCell(null, 4, 'x')).toBe('–');
    expect(formatCell('pal-n', 4, 'x')).toBe('pal-n');
    expect(formatDifference(2, 2.5, 4)).toBe('+0.5 (+25%)');
    expect(formatDifference(0, 0.1, 4)).toBe('+0.1');
    expect(formatDifference(1, 1, 4)).toBe('0 (0%)');
    expect(formatDifference(null, 1, 4)).toBe('–');
    expect(formatDifference('a', 1, 4)).toBe('–');
  });

  it('rejects empty tables, empty verdicts and non-finite numbers', () => {
    expect(() => comparisonTableFigure({ title: 't', rows: [], verdict: 'v' })).toThrow(/rows is empty/);
    expect(() => comparisonTableFigure({ title: 't', rows: [{ label: 'a', ufm: 1, network: 1 }], verdict: ' ' })).toThrow(/verdict/);
    expect(() => comparisonTableFigure({ title: 't', rows: [{ label: 'a', ufm: Number.NaN, network: 1 }], verdict: 'v' })).toThrow(FigureDataError);
    expect(() => comparisonTableFigure({ title: 't', rows: [{ label: 'a', ufm: 1, network: -Infinity }], verdict: 'v' })).toThrow(/network/);
  });
});
