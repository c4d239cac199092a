/** Figure 6: the `mlnc compare` table (quantity, UFM prediction, network, difference, note) and a wrapped verdict. */
import { FigureDataError, requireNonEmpty } from './figureDataError.js';
import { createSvg, drawTitle } from './svgDocument.js';
import { textWidth, wrapText } from './text.js';
import { theme } from './theme.js';
import { formatValue } from './ticks.js';

export interface ComparisonRow {
  label: string;
  /** The UFM/theory prediction; a string is shown as is, null as "–". */
  ufm: number | string | null;
  network: number | string | null;
  note?: string;
}

export interface ComparisonTableInput {
  title: string;
  rows: readonly ComparisonRow[];
  verdict: string;
  /** Significant digits of numbers (default 4). */
  digits?: number;
}

/** Cell text of a value: numbers formatted, strings verbatim, null as an en dash. NaN/Infinity are errors. */
export function formatCell(v: number | string | null, digits: number, what: string): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) throw new FigureDataError(`${what} must be a finite number, a string or null, got ${v}`);
  return formatValue(v, digits);
}

/** network − UFM, with the relative difference when the prediction is non-zero; "–" unless both are numbers. */
export function formatDifference(ufm: number | string | null, network: number | string | null, digits: number): string {
  if (typeof ufm !== 'number' || typeof network !== 'number') return '–';
  const diff = network - ufm;
  const abs = `${diff > 0 ? '+' : diff < 0 ? '−' : ''}${formatValue(Math.abs(diff), Math.min(digits, 3))}`;
  if (ufm === 0) return abs;
  const rel = (100 * diff) / Math.abs(ufm);
  return `${abs} (${rel > 0 ? '+' : rel < 0 ? '−' : ''}${formatValue(Math.abs(rel), 2)}%)`;
}

const HEAD = ['quantity', 'UFM prediction', 'network', 'difference', 'note'];

export function comparisonTableFigure(input: ComparisonTableInput): string {
  requireNonEmpty(input.rows, 'comparison table: rows');
  const digits = input.digits ?? 4;
  if (typeof input.verdict !== 'string' || input.verdict.trim() === '') throw new FigureDataError('comparison table: verdict is empty');
  const cells = input.rows.map((r, i) => {
    if (typeof r.label !== 'string' || r.label === '') throw new FigureDataError(`comparison table: row ${i} has no label`);
    return [r.label, formatCell(r.ufm, digits, `comparison table row "${r.label}" ufm`), formatCell(r.network, digits, `comparison table row "${r.label}" network`),
      formatDifference(r.ufm, r.network, digits), r.note ?? ''];
  });
  const hasNotes = cells.some((c) => c[4] !== '');
  const ncol = hasNotes ? 5 : 4;
  const fs = theme.legendSize + 1;
  const pad = 12;
  const colW = Array.from({ length: ncol }, (_, j) =>
    Math.max(textWidth(HEAD[j], fs) + 8, ...cells.map((c) => textWidth(c[j], fs))) + 2 * pad);
  const tableW = colW.reduce((a, b) => a + b, 0);
  const width = Math.max(tableW + 40, 560);
  const left = (width - tableW) / 2;
  const rowH = Math.round(fs * 2);
  const top = 48;
  const verdictLines = wrapText(`Verdict: ${input.verdict}`, tableW, fs);
  const height = top + rowH * (cells.length + 1) + 30 + 18 + verdictLines.length * fs * 1.45 + 16;
  const doc = createSvg(width, height, input.title);
  drawTitle(doc.svg, width, input.title);
  const t = doc.svg.append('g').attr('class', 'table').attr('transform', `translate(${left},${top})`).attr('font-size', fs);
  const colX = colW.map((_, j) => colW.slice(0, j).reduce((a, b) => a + b, 0));
  const numeric = (j: number) => j >= 1 && j <= 3;
  const head = t.append('g').attr('class', 'table-header');
  head.append('rect').attr('width', tableW).attr('height', rowH).attr('fill', '#eef1f5');
  HEAD.slice(0, ncol).forEach((h, j) => {
    head.append('text').attr('x', numeric(j) ? colX[j] + colW[j] - pad : colX[j] + pad).attr('y', rowH / 2).attr('dy', fs * 0.35)
      .attr('text-anchor', numeric(j) ? 'end' : 'start').attr('font-weight', 'bold').text(h);
  });
  cells.forEach((c, i) => {
    const row = t.append('g').attr('class', 'table-row').attr('transform', `translate(0,${(i + 1) * rowH})`);
    if (i % 2 === 1) row.append('rect').attr('width', tableW).attr('height', rowH).attr('fill', '#f7f7f7');
    c.slice(0, ncol).forEach((v, j) => {
      row.append('text').attr('x', numeric(j) ? colX[j] + colW[j] - pad : colX[j] + pad).attr('y', rowH / 2).attr('dy', fs * 0.35)
        .attr('text-anchor', numeric(j) ? 'end' : 'start').attr('fill', j === 4 ? theme.muted : theme.text).text(v);
    });
  });
  const bottom = rowH * (cells.length + 1);
  t.append('path').attr('class', 'rules').attr('d', `M0,0H${tableW}M0,${rowH}H${tableW}M0,${bottom}H${tableW}`)
    .attr('stroke', theme.axis).attr('stroke-width', 1.2);
  t.append('text').attr('class', 'table-key').attr('x', 0).attr('y', bottom + 18).attr('font-size', theme.noteSize).attr('fill', theme.muted)
    .text('difference = network − UFM prediction (relative to the prediction in parentheses); – = not available');
  const v = t.append('text').attr('class', 'verdict').attr('y', bottom + 30 + 18);
  verdictLines.forEach((line, i) => v.append('tspan').attr('x', 0).attr('dy', i === 0 ? 0 : fs * 1.45).text(line));
  return doc.serialize();
}
