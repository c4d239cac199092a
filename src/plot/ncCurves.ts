/**
 * Figure 1: neural-collapse metrics over time, one small-multiple panel per metric, log-scale y, one colour per run.
 * An NcRecord is one line of a training run's metrics.jsonl or one logged step of a UFM gradient-descent history.
 */
import { FigureDataError, requireFinite, requireFiniteOrNull, requireNonEmpty } from './figureDataError.js';
import { drawLegend, type LegendItem } from './legend.js';
import { drawLinePanel, PANEL_MARGIN, type LinePanelSpec, type LineSeries } from './linePanel.js';
import { createSvg, drawTitle, type Sel } from './svgDocument.js';
import { subscript } from './text.js';
import { categoricalColor } from './theme.js';

/** One logged step. Missing or null metrics are gaps; NaN/Infinity is an error. */
export interface NcRecord {
  /** Iteration (UFM gradient descent) or epoch (training). */
  step: number;
  nc1?: number | null;
  nc2W?: number | null;
  nc2H?: number | null;
  nc3?: number | null;
  /** Tag-wise average angle metric (multiplicity 2; scale-blind ratio of angles). */
  tagAngle?: number | null;
  /** Relative tag-wise scale error |ρ̂_m − ρ_m|/ρ_m, keyed by multiplicity m ≥ 2. */
  rhoRelError?: Readonly<Record<number, number | null | undefined>>;
}

export interface NcRun {
  /** Legend label, e.g. "learned classifier" or "fixed ETF". */
  label: string;
  records: readonly NcRecord[];
  /** A shaded band per record (same steps, same order): its lower and upper values, e.g. the range over seeds. */
  band?: { lower: readonly NcRecord[]; upper: readonly NcRecord[] };
  /** Overrides the run's Tableau-10 colour. */
  color?: string;
}

export interface NcCurvesInput {
  title: string;
  /** x-axis label, e.g. "iteration" or "epoch". */
  xLabel: string;
  runs: readonly NcRun[];
  /** Log-scale floor: values below it (exact zeros included) are drawn at it and a note says so. Default 1e-12. */
  floor?: number;
  /** Panels per row (default: up to 3). */
  columns?: number;
  /** Markers at every point (default: when no run has more than 40 records). */
  markers?: boolean;
}

interface MetricPanel {
  key: string;
  title: string;
  yLabel: string;
  get: (r: NcRecord) => number | null | undefined;
}

const BASE_PANELS: readonly MetricPanel[] = [
  { key: 'nc1', title: 'NC1: within-class variability', yLabel: 'NC1', get: (r) => r.nc1 },
  { key: 'nc2W', title: 'NC2 (classifier W)', yLabel: 'NC2_W', get: (r) => r.nc2W },
  { key: 'nc2H', title: 'NC2 (class means H)', yLabel: 'NC2_H', get: (r) => r.nc2H },
  { key: 'nc3', title: 'NC3: self-duality', yLabel: 'NC3', get: (r) => r.nc3 },
  { key: 'tagAngle', title: 'tag-wise average (angle, m=2)', yLabel: 'angle ratio', get: (r) => r.tagAngle },
];

function rhoPanel(m: number): MetricPanel {
  return {
    key: `rho${m}`,
    title: `tag-wise scale error, m=${m}`,
    yLabel: `|ρ̂${subscript(m)} − ρ${subscript(m)}| / ρ${subscript(m)}`,
    get: (r) => r.rhoRelError?.[m],
  };
}

/** Validates the runs and returns one panel spec per metric that has at least one value (pure; shared with figure 5). */
export function ncPanelSpecs(
  runs: readonly NcRun[],
  xLabel: string,
  opts: { floor?: number; markers?: boolean; metrics?: readonly string[] } = {},
): { specs: LinePanelSpec[]; colors: string[] } {
  requireNonEmpty(runs, 'NC curves: runs');
  const floor = opts.floor ?? 1e-12;
  if (!(floor > 0) || !Number.isFinite(floor)) throw new FigureDataError(`NC curves: floor must be a positive number, got ${floor}`);
  const multiplicities = new Set<number>();
  runs.forEach((run, ri) => {
    requireNonEmpty(run.records, `NC curves: run "${run.label}" records`);
    if (run.band && (run.band.lower.length !== run.records.length || run.band.upper.length !== run.records.length)) {
      throw new FigureDataError(`NC curves: run "${run.label}" band needs one lower and one upper record per record`);
    }
    for (const [side, recs] of Object.entries(run.band ?? {})) {
      recs.forEach((r, i) => {
        for (const p of BASE_PANELS) requireFiniteOrNull(p.get(r), `NC curves: run "${run.label}" band ${side} ${i} ${p.key}`);
      });
    }
    run.records.forEach((r, i) => {
      requireFinite(r.step, `NC curves: run "${run.label}" record ${i} step`);
      if (i > 0 && r.step < run.records[i - 1].step) {
        throw new FigureDataError(`NC curves: run "${run.label}" steps are not increasing at record ${i}`);
      }
      for (const p of BASE_PANELS) requireFiniteOrNull(p.get(r), `NC curves: run "${run.label}" record ${i} ${p.key}`);
      for (const [k, v] of Object.entries(r.rhoRelError ?? {})) {
        const m = Number(k);
        if (!Number.isInteger(m) || m < 2) throw new FigureDataError(`NC curves: rhoRelError key ${k} is not a multiplicity ≥ 2`);
        requireFiniteOrNull(v, `NC curves: run "${run.label}" record ${i} rhoRelError[${k}]`);
        multiplicities.add(m);
      }
    });
    void ri;
  });
  const panels = [...BASE_PANELS, ...[...multiplicities].sort((a, b) => a - b).map(rhoPanel)]
    .filter((p) => opts.metrics === undefined || opts.metrics.includes(p.key));
  const colors = runs.map((r, i) => r.color ?? categoricalColor(i));
  const markers = opts.markers ?? runs.every((r) => r.records.length <= 40);
  const specs: LinePanelSpec[] = [];
  for (const p of panels) {
    const series: LineSeries[] = runs.map((run, i) => ({
      label: run.label,
      color: colors[i],
      points: run.records.map((r) => ({ x: r.step, y: p.get(r) ?? null })),
      ...(run.band ? { band: run.records.map((r, j) => ({ x: r.step, lo: p.get(run.band!.lower[j]) ?? null, hi: p.get(run.band!.upper[j]) ?? null })) } : {}),
    })).filter((s) => s.points.some((q) => q.y !== null));
    if (series.length === 0) continue;
    specs.push({ title: p.title, xLabel, yLabel: p.yLabel, series, logY: true, floor, markers });
  }
  if (specs.length === 0) throw new FigureDataError('NC curves: no run has any metric value');
  return { specs, colors };
}

export const NC_PANEL_SIZE = { width: 250, height: 165 } as const;

/** Lays panels out in a grid at g's origin; returns the grid's size. */
export function drawPanelGrid(g: Sel, specs: readonly LinePanelSpec[], columns: number): { width: number; height: number } {
  const cellW = NC_PANEL_SIZE.width + PANEL_MARGIN.left + PANEL_MARGIN.right;
  const cellH = NC_PANEL_SIZE.height + PANEL_MARGIN.top + PANEL_MARGIN.bottom;
  specs.forEach((spec, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const pg = g.append('g').attr('transform', `translate(${col * cellW + PANEL_MARGIN.left},${row * cellH + PANEL_MARGIN.top})`);
    drawLinePanel(pg, spec, NC_PANEL_SIZE.width, NC_PANEL_SIZE.height);
  });
  return { width: Math.min(columns, specs.length) * cellW, height: Math.ceil(specs.length / columns) * cellH };
}

export function ncCurvesFigure(input: NcCurvesInput): string {
  const { specs, colors } = ncPanelSpecs(input.runs, input.xLabel, { floor: input.floor, markers: input.markers });
  const columns = Math.max(1, Math.min(input.columns ?? 3, specs.length));
  const cellW = NC_PANEL_SIZE.width + PANEL_MARGIN.left + PANEL_MARGIN.right;
  const width = Math.max(columns * cellW + 20, 420);
  const legendItems: LegendItem[] = input.runs.map((r, i) => ({ label: r.label, color: colors[i], swatch: 'line' }));
  // measure the legend once on a throwaway group to know the layout height
  const rowsH = Math.ceil(specs.length / columns) * (NC_PANEL_SIZE.height + PANEL_MARGIN.top + PANEL_MARGIN.bottom);
  const doc = createSvg(width, 1, input.title);
  drawTitle(doc.svg, width, input.title);
  const legendG = doc.svg.append('g').attr('transform', 'translate(10,40)');
  const legendH = drawLegend(legendG, legendItems, width - 20);
  const grid = doc.svg.append('g').attr('transform', `translate(10,${44 + legendH})`);
  drawPanelGrid(grid, specs, columns);
  const height = Math.ceil(44 + legendH + rowsH + 6);
  doc.svg.attr('height', height).attr('viewBox', `0 0 ${Math.ceil(width)} ${height}`);
  doc.svg.select('rect.background').attr('height', height);
  return doc.serialize();
}
