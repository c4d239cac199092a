/**
 * Figure 2 (analogue of Li et al. 2024, Figure 1): features of a K = 3 problem projected onto the top-2 singular
 * directions of the centred class means, at the start and at the end of optimisation (columns), multi-class vs
 * multi-label (rows). Shows samples, class means μ_k, pair means, classifier rows w_k and the tag-wise-average
 * construction h_{a,b} − μ_G = ρ₂·(1/2)·((μ_a − μ_G) + (μ_b − μ_G)).
 */
import * as d3 from 'd3';
import { classMeansFromSetMeans, groupByLabelSet, labelSet, labelSetMeans, matrix, type LabelSet, type Matrix } from '../geometry/index.js';
import { drawAxis, drawAxisLabel } from './axes.js';
import { FigureDataError, requireFinite, requireMatrix, requireNonEmpty, requireSameLength } from './figureDataError.js';
import { drawLegend, type LegendItem } from './legend.js';
import { arrowPaths, markerPath } from './marks.js';
import { classMeanProjection, project, type Projection2D } from './projection.js';
import { createSvg, drawTitle, type Sel } from './svgDocument.js';
import { subscript } from './text.js';
import { categoricalColor, theme } from './theme.js';
import { formatLinearTick } from './ticks.js';

/** Rows of numbers, or a row-major Matrix (N×d features, K×d classifier) as used by src/geometry. */
export type Rows = readonly (readonly number[])[] | Matrix;

export interface GeometrySnapshot {
  /** N×d features h_i (one row per sample). */
  features: Rows;
  /** N label sets (0-based class indices). */
  labels: readonly (readonly number[])[];
  /** K×d classifier rows w_k, drawn as arrows from the origin (rescaled to the class means' size; the factor is noted). */
  classifier?: Rows;
  /** Theory ρ₂: marks the predicted pair mean (ρ₂/2)(μ_a + μ_b) (centred) with a hollow diamond. */
  rho2?: number;
}

export interface GeometryCell {
  /** Column heading, e.g. "initialisation" or "after 20k GD steps". */
  label: string;
  snapshot: GeometrySnapshot;
}

export interface GeometryRow {
  /** Row heading, e.g. "multi-class" or "multi-label". */
  label: string;
  cells: readonly GeometryCell[];
}

export interface GeometryInput {
  title: string;
  /** Number of classes (the paper's picture uses K = 3). */
  K: number;
  rows: readonly GeometryRow[];
  /** Display names of the classes (default "1".."K"). */
  classNames?: readonly string[];
  /** Cap on drawn samples per panel (evenly strided, default 600). */
  maxSamples?: number;
}

export function toRows(r: Rows, what: string): number[][] {
  if ('data' in r && 'rows' in r && 'cols' in r && !Array.isArray(r)) {
    const m = r as Matrix;
    return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  }
  const rows = r as readonly (readonly number[])[];
  requireMatrix(rows, what);
  return rows.map((x) => [...x]);
}

interface PanelGeometry {
  samples: { xy: [number, number]; set: LabelSet }[];
  classMeans: [number, number][];
  /** Means of the label sets of size 2, in the canonical label-set order (src/geometry groupByLabelSet). */
  pairMeans: { set: LabelSet; xy: [number, number] }[];
  /** The theory's pair mean (ρ₂/2)(μ_a + μ_b) (centred) for every pair in pairMeans, in the same order. */
  predicted: { set: LabelSet; xy: [number, number] }[];
  arrows: [number, number][];
  arrowScale: number;
  projection: Projection2D;
}

/** Validates one snapshot and computes everything drawn in its panel, in projected coordinates (pure). */
export function panelGeometry(s: GeometrySnapshot, K: number, what: string, maxSamples = 600): PanelGeometry {
  const H = toRows(s.features, `${what} features`);
  const d = requireMatrix(H, `${what} features`);
  requireNonEmpty(s.labels, `${what} labels`);
  requireSameLength(H, s.labels, `${what} features vs labels`);
  s.labels.forEach((ls, i) => {
    if (ls.length === 0) throw new FigureDataError(`${what}: sample ${i} has an empty label set`);
    for (const k of ls) {
      if (!Number.isInteger(k) || k < 0 || k >= K) throw new FigureDataError(`${what}: sample ${i} has label ${k}, not in 0..${K - 1}`);
    }
  });
  // Snapshots may list a sample's classes in any order: labelSet sorts them into the structured value geometry uses.
  const sets = s.labels.map((ls) => labelSet(ls, K));
  const groups = groupByLabelSet(sets, K);
  const setMeans = labelSetMeans(matrix(H.length, d, Float64Array.from(H.flat())), groups);
  groups.singletonGroup.forEach((g, k) => {
    if (g < 0) throw new FigureDataError(`${what}: class ${k} has no single-label samples, so its mean is undefined`);
  });
  const projection = classMeanProjection(classMeansFromSetMeans(setMeans, groups));
  const meanOf = (g: number) => setMeans.data.subarray(g * d, (g + 1) * d);
  const stride = Math.max(1, Math.ceil(H.length / maxSamples));
  const samples = H.filter((_, i) => i % stride === 0).map((h, j) => ({ xy: project(projection, h), set: sets[j * stride] }));
  const cm = Array.from(groups.singletonGroup, (g) => project(projection, meanOf(g)));
  const pairMeans: PanelGeometry['pairMeans'] = [];
  const predicted: PanelGeometry['predicted'] = [];
  if (s.rho2 !== undefined) requireFinite(s.rho2, `${what} rho2`);
  groups.sets.forEach((set, g) => {
    if (set.length !== 2) return;
    pairMeans.push({ set, xy: project(projection, meanOf(g)) });
    if (s.rho2 !== undefined) {
      const r = s.rho2 / 2;
      const [a, b] = set;
      predicted.push({ set, xy: [r * (cm[a][0] + cm[b][0]), r * (cm[a][1] + cm[b][1])] });
    }
  });
  let arrows: [number, number][] = [];
  let arrowScale = 1;
  if (s.classifier !== undefined) {
    const W = toRows(s.classifier, `${what} classifier`);
    requireMatrix(W, `${what} classifier`, d);
    if (W.length !== K) throw new FigureDataError(`${what}: classifier has ${W.length} rows, expected K = ${K}`);
    const raw = W.map((w) => project(projection, w, false));
    const maxW = d3.max(raw, (v) => Math.hypot(v[0], v[1])) ?? 0;
    const maxM = d3.max(cm, (v) => Math.hypot(v[0], v[1])) ?? 0;
    // arrows end short of the class means so the two never hide each other
    arrowScale = maxW > 0 && maxM > 0 ? (0.72 * maxM) / maxW : 1;
    arrows = raw.map(([x, y]) => [x * arrowScale, y * arrowScale]);
  }
  return { samples, classMeans: cm, pairMeans, predicted, arrows, arrowScale, projection };
}

/** One colour per label set, the same in every panel. */
export interface LabelSetPalette {
  /** The label sets coloured: every singleton, then the given larger sets, in canonical label-set order. */
  readonly sets: readonly LabelSet[];
  colorOf(set: LabelSet): string;
}

/** Colours for the singletons {0}..{K−1} and the given label sets, assigned in canonical label-set order. */
export function labelSetColors(K: number, present: Iterable<LabelSet>): LabelSetPalette {
  const singletons = Array.from({ length: K }, (_, k) => labelSet([k], K));
  const sets = groupByLabelSet([...singletons, ...present], K).sets;
  // A string key only to look colours up by value; label sets themselves stay structured (never parsed back).
  const key = (set: LabelSet) => set.join(',');
  const colors = new Map(sets.map((set, i) => [key(set), categoricalColor(i)]));
  return { sets, colorOf: (set) => colors.get(key(set)) ?? theme.muted };
}

/** Side of one square panel's plot area (SVG units). */
export const GEOMETRY_PANEL_SIZE = 290;
const PANEL = GEOMETRY_PANEL_SIZE;
const MARGIN = { left: 100, top: 44, right: 24, bottom: 50 } as const;

export function geometryFigure(input: GeometryInput): string {
  const K = input.K;
  if (!Number.isInteger(K) || K < 2) throw new FigureDataError(`geometry: K must be an integer ≥ 2, got ${K}`);
  requireNonEmpty(input.rows, 'geometry: rows');
  const names = input.classNames ?? Array.from({ length: K }, (_, k) => String(k + 1));
  if (names.length !== K) throw new FigureDataError(`geometry: ${names.length} class names for K = ${K}`);
  const cols = d3.max(input.rows, (r) => r.cells.length) ?? 0;
  input.rows.forEach((r) => requireNonEmpty(r.cells, `geometry: row "${r.label}" cells`));
  const geo = input.rows.map((r) => r.cells.map((c) => panelGeometry(c.snapshot, K, `geometry "${r.label} / ${c.label}"`, input.maxSamples)));
  const colors = labelSetColors(K, geo.flat().flatMap((g) => [...g.samples.map((s) => s.set), ...g.pairMeans.map((p) => p.set)]));
  const setName = (set: LabelSet) => `{${set.map((k) => names[k]).join(',')}}`;
  const anyPairs = geo.flat().some((g) => g.pairMeans.length > 0);
  const anyArrows = geo.flat().some((g) => g.arrows.length > 0);
  const anyPred = geo.flat().some((g) => g.predicted.length > 0);

  const cellW = PANEL + MARGIN.left + MARGIN.right;
  const cellH = PANEL + MARGIN.top + MARGIN.bottom;
  const width = Math.max(cols * cellW + 20, 560);
  const colorItems: LegendItem[] = colors.sets
    .map((set) => ({ label: setName(set), color: colors.colorOf(set), swatch: set.length > 1 ? 'square' : 'circle' }));
  const grey = theme.muted;
  const markItems: LegendItem[] = [
    { label: 'samples', color: grey, swatch: 'circle', opacity: 0.35 },
    { label: 'class mean', color: grey, swatch: 'circle' },
    ...(anyPairs ? [{ label: 'pair mean', color: grey, swatch: 'square' } as LegendItem] : []),
    ...(anyArrows ? [{ label: 'classifier rows w_k (rescaled)', color: theme.text, swatch: 'arrow' } as LegendItem] : []),
    ...(anyPairs ? [{ label: 'class means → pair mean', color: grey, swatch: 'dashed' } as LegendItem] : []),
    ...(anyPred ? [{ label: `theory (ρ${subscript(2)}/2)(μ_a + μ_b)`, color: grey, swatch: 'hollow-diamond' } as LegendItem] : []),
  ];
  const doc = createSvg(width, 1, input.title);
  drawTitle(doc.svg, width, input.title);
  const lg = doc.svg.append('g').attr('transform', 'translate(10,40)');
  let legendH = drawLegend(lg, colorItems, width - 20);
  const lg2 = doc.svg.append('g').attr('transform', `translate(10,${40 + legendH})`);
  legendH += drawLegend(lg2, markItems, width - 20);
  const top = 46 + legendH;

  geo.forEach((rowGeo, r) => {
    rowGeo.forEach((g, c) => {
      const pg = doc.svg.append('g').attr('class', 'panel')
        .attr('transform', `translate(${10 + c * cellW + MARGIN.left},${top + r * cellH + MARGIN.top})`);
      drawGeometryPanel(pg, g, colors, input.rows[r].cells[c].label);
    });
    // row heading, rotated, left of the first panel's axis label
    doc.svg.append('text').attr('class', 'row-label')
      .attr('transform', `translate(${22},${top + r * cellH + MARGIN.top + PANEL / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle').attr('font-size', theme.panelTitleSize + 1).attr('font-weight', 'bold').text(input.rows[r].label);
  });
  const height = Math.ceil(top + input.rows.length * cellH + 4);
  doc.svg.attr('height', height).attr('viewBox', `0 0 ${Math.ceil(width)} ${height}`);
  doc.svg.select('rect.background').attr('height', height);
  return doc.serialize();
}

function drawGeometryPanel(pg: Sel, g: PanelGeometry, colors: LabelSetPalette, label: string): void {
  const pts: [number, number][] = [...g.samples.map((s) => s.xy), ...g.classMeans, ...g.pairMeans.map((p) => p.xy), ...g.predicted.map((p) => p.xy), ...g.arrows];
  const R = 1.1 * (d3.max(pts, (p) => Math.max(Math.abs(p[0]), Math.abs(p[1]))) || 1);
  // equal aspect: the same symmetric domain on both axes, square panel
  const x = d3.scaleLinear().domain([-R, R]).range([0, PANEL]).nice(4);
  const y = d3.scaleLinear().domain(x.domain()).range([PANEL, 0]);
  pg.append('text').attr('class', 'panel-title').attr('x', PANEL / 2).attr('y', -12).attr('text-anchor', 'middle')
    .attr('font-size', theme.panelTitleSize).attr('font-weight', 'bold').text(label);
  const ticks = x.ticks(5);
  drawAxis(pg.append('g'), { scale: y, orient: 'left', tickValues: ticks, format: formatLinearTick, length: PANEL, grid: true });
  drawAxis(pg.append('g').attr('transform', `translate(0,${PANEL})`), { scale: x, orient: 'bottom', tickValues: ticks, format: formatLinearTick, length: PANEL, grid: true });
  drawAxisLabel(pg, 'bottom', 'projection on u₁', PANEL, PANEL, 40);
  drawAxisLabel(pg, 'left', 'projection on u₂', PANEL, PANEL, 48);
  const plot = pg.append('g').attr('class', 'plot-area');
  plot.append('path').attr('class', 'origin').attr('d', `M${x(0)},0V${PANEL}M0,${y(0)}H${PANEL}`).attr('stroke', '#c8c8c8').attr('stroke-width', 1);
  for (const s of g.samples) {
    plot.append('path').attr('class', 'sample').attr('d', markerPath('circle', x(s.xy[0]), y(s.xy[1]), 2.3))
      .attr('fill', colors.colorOf(s.set)).attr('fill-opacity', 0.35);
  }
  g.pairMeans.forEach((p) => {
    const col = colors.colorOf(p.set);
    for (const k of p.set) {
      plot.append('path').attr('class', 'construction').attr('d', `M${x(g.classMeans[k][0])},${y(g.classMeans[k][1])}L${x(p.xy[0])},${y(p.xy[1])}`)
        .attr('stroke', col).attr('stroke-width', 1.6).attr('stroke-dasharray', '5,4').attr('fill', 'none');
    }
  });
  g.arrows.forEach((a, k) => {
    const { shaft, head } = arrowPaths(x(0), y(0), x(a[0]), y(a[1]), 11);
    if (shaft === '') return;
    const col = d3.color(colors.colorOf([k]))?.darker(0.8).formatHex() ?? theme.text;
    const ga = plot.append('g').attr('class', 'classifier-arrow');
    ga.append('path').attr('d', shaft).attr('stroke', col).attr('stroke-width', 2.2).attr('fill', 'none');
    ga.append('path').attr('d', head).attr('fill', col);
    ga.append('text').attr('x', x(a[0] * 1.08)).attr('y', y(a[1] * 1.08)).attr('dy', 4).attr('text-anchor', 'middle')
      .attr('font-size', theme.noteSize).attr('fill', col).text(`w${subscript(k + 1)}`);
  });
  g.predicted.forEach((p) => {
    plot.append('path').attr('class', 'prediction').attr('d', markerPath('diamond', x(p.xy[0]), y(p.xy[1]), 7))
      .attr('fill', 'none').attr('stroke', colors.colorOf(p.set)).attr('stroke-width', 2);
  });
  g.pairMeans.forEach((p) => {
    plot.append('path').attr('class', 'pair-mean').attr('d', markerPath('square', x(p.xy[0]), y(p.xy[1]), 7))
      .attr('fill', colors.colorOf(p.set)).attr('stroke', 'black').attr('stroke-width', 1.2);
  });
  g.classMeans.forEach((m, k) => {
    plot.append('path').attr('class', 'class-mean').attr('d', markerPath('circle', x(m[0]), y(m[1]), 7.5))
      .attr('fill', colors.colorOf([k])).attr('stroke', 'black').attr('stroke-width', 1.2);
  });
  if (g.arrows.length > 0 && Math.abs(g.arrowScale - 1) > 1e-9) {
    pg.append('text').attr('class', 'note').attr('x', PANEL - 4).attr('y', PANEL - 6).attr('text-anchor', 'end')
      .attr('font-size', theme.noteSize).attr('fill', theme.muted).text(`w_k drawn ×${formatLinearTick(Number(g.arrowScale.toPrecision(2)))}`);
  }
}
