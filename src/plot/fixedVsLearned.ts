/**
 * Figure 5: a classifier frozen to the simplex ETF against a learned one — grouped bars of test metrics plus the NC
 * curves of both runs (the same panels as figure 1), trainable-parameter counts in the legend.
 */
import * as d3 from 'd3';
import { drawAxis, drawAxisLabel } from './axes.js';
import { FigureDataError, requireFinite, requireNonEmpty } from './figureDataError.js';
import { drawLegend, type LegendItem } from './legend.js';
import { drawLinePanel, PANEL_MARGIN } from './linePanel.js';
import { NC_PANEL_SIZE, ncPanelSpecs, type NcRecord } from './ncCurves.js';
import { createSvg, drawTitle, type Sel } from './svgDocument.js';
import { textWidth, wrapText } from './text.js';
import { categoricalColor, theme } from './theme.js';
import { formatLinearTick } from './ticks.js';

export interface ClassifierRun {
  /** e.g. "learned classifier" or "fixed ETF classifier". */
  label: string;
  /** Number of trainable parameters (shown in the legend). */
  trainableParams: number;
  /** Test metrics by name, e.g. { 'exact-set match': 0.91, 'micro-F1': 0.96, 'prototype accuracy': 0.9 }. */
  testMetrics: Readonly<Record<string, number>>;
  /** NC metric history (metrics.jsonl lines); may be empty when only test metrics exist. */
  history: readonly NcRecord[];
  color?: string;
}

export interface FixedVsLearnedInput {
  title: string;
  /** x label of the NC panels, usually "epoch". */
  xLabel: string;
  runs: readonly ClassifierRun[];
  /** Which test metrics to show and in what order (default: the first run's keys). Every run must have each one. */
  metrics?: readonly string[];
  /** NC panels to show (NcRecord keys: nc1, nc2W, nc2H, nc3, tagAngle, rho2, rho3, ...). Default nc1, nc2H, nc3. */
  ncMetrics?: readonly string[];
  floor?: number;
}

/** "11.2M", "2.46k", "950". */
export function formatParamCount(n: number): string {
  return n < 1000 ? String(n) : d3.format('.3~s')(n);
}

export interface BarLayout {
  /** x offset of group g (metric), its width. */
  groupX: (g: number) => number;
  groupWidth: number;
  /** x offset of run r inside a group, bar width. */
  barX: (r: number) => number;
  barWidth: number;
}

/** Grouped-bar geometry: groups share [0, width] with 25% padding, runs share each group with 8% padding. */
export function barLayout(groups: number, runs: number, width: number): BarLayout {
  const outer = d3.scaleBand<number>().domain(d3.range(groups)).range([0, width]).paddingInner(0.25).paddingOuter(0.15);
  const inner = d3.scaleBand<number>().domain(d3.range(runs)).range([0, outer.bandwidth()]).padding(0.08);
  return { groupX: (g) => outer(g) ?? 0, groupWidth: outer.bandwidth(), barX: (r) => inner(r) ?? 0, barWidth: inner.bandwidth() };
}

export function fixedVsLearnedFigure(input: FixedVsLearnedInput): string {
  requireNonEmpty(input.runs, 'fixed vs learned: runs');
  const metrics = input.metrics ?? Object.keys(input.runs[0].testMetrics);
  requireNonEmpty(metrics, 'fixed vs learned: test metrics');
  input.runs.forEach((r) => {
    const p = requireFinite(r.trainableParams, `fixed vs learned: run "${r.label}" trainableParams`);
    if (p < 0 || !Number.isInteger(p)) throw new FigureDataError(`fixed vs learned: run "${r.label}" trainableParams must be a non-negative integer, got ${p}`);
    for (const m of metrics) {
      if (!(m in r.testMetrics)) throw new FigureDataError(`fixed vs learned: run "${r.label}" lacks test metric "${m}"`);
      requireFinite(r.testMetrics[m], `fixed vs learned: run "${r.label}" test metric "${m}"`);
    }
  });
  const colors = input.runs.map((r, i) => r.color ?? categoricalColor(i));
  const withHistory = input.runs.map((r, i) => ({ run: r, i })).filter(({ run }) => run.history.length > 0);
  const { specs } = withHistory.length > 0
    ? ncPanelSpecs(withHistory.map(({ run, i }) => ({ label: run.label, records: run.history, color: colors[i] })), input.xLabel,
      { floor: input.floor, metrics: input.ncMetrics ?? ['nc1', 'nc2H', 'nc3'] })
    : { specs: [] };

  const cellW = NC_PANEL_SIZE.width + PANEL_MARGIN.left + PANEL_MARGIN.right;
  const cellH = NC_PANEL_SIZE.height + PANEL_MARGIN.top + PANEL_MARGIN.bottom;
  const cells = 1 + specs.length;
  const columns = cells <= 2 ? cells : cells === 4 ? 2 : 3;
  const width = Math.max(columns * cellW + 20, 480);
  const legendItems: LegendItem[] = input.runs.map((r, i) => ({
    label: `${r.label} (${formatParamCount(r.trainableParams)} trainable params)`, color: colors[i], swatch: 'rect',
  }));
  const doc = createSvg(width, 1, input.title);
  drawTitle(doc.svg, width, input.title);
  const legendH = drawLegend(doc.svg.append('g').attr('transform', 'translate(10,40)'), legendItems, width - 20);
  const top = 52 + legendH;
  const at = (i: number) => `translate(${10 + (i % columns) * cellW + PANEL_MARGIN.left},${top + Math.floor(i / columns) * cellH + PANEL_MARGIN.top})`;
  drawBars(doc.svg.append('g').attr('transform', at(0)), input.runs, metrics, colors);
  specs.forEach((spec, i) => drawLinePanel(doc.svg.append('g').attr('transform', at(i + 1)), spec, NC_PANEL_SIZE.width, NC_PANEL_SIZE.height));
  const height = Math.ceil(top + Math.ceil(cells / columns) * cellH + 6);
  doc.svg.attr('height', height).attr('viewBox', `0 0 ${Math.ceil(width)} ${height}`);
  doc.svg.select('rect.background').attr('height', height);
  return doc.serialize();
}

function drawBars(g: Sel, runs: readonly ClassifierRun[], metrics: readonly string[], colors: readonly string[]): void {
  const W = NC_PANEL_SIZE.width;
  const H = NC_PANEL_SIZE.height;
  const values = runs.flatMap((r) => metrics.map((m) => r.testMetrics[m]));
  const lo = Math.min(0, d3.min(values) as number);
  const hi = Math.max(1, d3.max(values) as number);
  const y = d3.scaleLinear().domain([lo, hi]).range([H, 0]).nice(5);
  const L = barLayout(metrics.length, runs.length, W);
  const panel = g.append('g').attr('class', 'panel');
  panel.append('text').attr('class', 'panel-title').attr('x', W / 2).attr('y', -12).attr('text-anchor', 'middle')
    .attr('font-size', theme.panelTitleSize).attr('font-weight', 'bold').text('test metrics');
  drawAxis(panel.append('g'), { scale: y, orient: 'left', tickValues: y.ticks(5), format: formatLinearTick, length: W, grid: true });
  const xAxis = panel.append('g').attr('class', 'axis axis-bottom').attr('transform', `translate(0,${H})`);
  xAxis.append('path').attr('class', 'domain').attr('d', `M0,0H${W}`).attr('stroke', theme.axis);
  metrics.forEach((m, gi) => {
    wrapText(m, L.groupWidth + 16, theme.tickSize).forEach((line, li) => {
      xAxis.append('text').attr('x', L.groupX(gi) + L.groupWidth / 2).attr('y', 16 + li * (theme.tickSize + 2)).attr('text-anchor', 'middle')
        .attr('font-size', theme.tickSize).attr('fill', theme.text).text(line);
    });
  });
  drawAxisLabel(panel, 'left', 'score', W, H, 50);
  const labelFs = Math.min(theme.noteSize, Math.max(8, Math.floor(L.barWidth * 0.8)));
  runs.forEach((r, ri) => {
    metrics.forEach((m, gi) => {
      const v = r.testMetrics[m];
      const x0 = L.groupX(gi) + L.barX(ri);
      panel.append('rect').attr('class', 'bar').attr('data-series', r.label).attr('x', x0).attr('width', L.barWidth)
        .attr('y', Math.min(y(v), y(0))).attr('height', Math.abs(y(v) - y(0))).attr('fill', colors[ri]);
      // values written vertically, inside the bar when it is tall enough, so neighbouring labels never collide
      const label = d3.format('.3f')(v);
      const inside = Math.abs(y(v) - y(0)) > textWidth(label, labelFs) + 10;
      const ty = inside ? Math.min(y(v), y(0)) + 5 : Math.min(y(v), y(0)) - 4;
      panel.append('text').attr('class', 'bar-value')
        .attr('transform', `translate(${x0 + L.barWidth / 2 + labelFs * 0.35},${ty}) rotate(-90)`)
        .attr('text-anchor', inside ? 'end' : 'start').attr('font-size', labelFs).attr('fill', inside ? 'white' : theme.text).text(label);
    });
  });
}
