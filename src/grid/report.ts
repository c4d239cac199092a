/**
 * `mlnc grid report`: what the finished runs of a grid say, aggregated over seeds — mean ± sd tables of the final
 * metrics, NC curves with seed bands grouped by an axis, and the learned-versus-fixed-ETF parameter-efficiency table
 * (when `fixed-etf` varies). Runs that have not finished are listed, not guessed. The report holds no timings, so the
 * same finished grid gives the same report wherever it ran.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomicWrite.js';
import { ncCurvesFigure, type NcRun } from '../plot/index.js';
import { writeFigure } from '../figures/writeFigure.js';
import {
  groupFlags, groupRuns, labelOf, metricDefs, seedBand, SEED_FLAG, type FinishedRun, type Group, type Stat,
} from './aggregate.js';
import type { GridDir, Manifest } from './gridDir.js';
import { GridError } from './gridError.js';
import type { Assignment } from './plan.js';
import type { RunStatus } from './status.js';

export const FIXED_ETF_FLAG = 'fixed-etf';

export interface EfficiencyRow {
  key: Assignment;
  label: string;
  learnedParams: number | null;
  fixedParams: number | null;
  /** 1 − fixed/learned. */
  fewerParams: number | null;
  learned: Record<string, Stat | null>;
  fixed: Record<string, Stat | null>;
}

export interface GridReport {
  name: string;
  runsTotal: number;
  runsFinished: number;
  missing: { name: string; state: string; detail: string }[];
  /** Flags that tell groups apart (the varying ones except seed). */
  groupBy: string[];
  metrics: { key: string; label: string }[];
  groups: Group[];
  efficiency: { rows: EfficiencyRow[] } | { note: string };
  figures: { name: string; axis: string; fixed: Assignment }[];
}

/** A flag value in a table cell, legend or file name: strings bare, absent ones as "default". */
const cell = (v: unknown) => (v === undefined ? 'default' : typeof v === 'string' ? v : JSON.stringify(v));

export function finishedRunOf(status: RunStatus, values: Assignment): FinishedRun | null {
  const p = status.progress;
  if (!p.finished || p.lines.length === 0) return null;
  return { name: status.name, values, final: p.lines[p.lines.length - 1], history: p.lines.filter((l) => 'nc1' in l), trainableParams: p.trainableParams };
}

/** Rows of the parameter-efficiency table: each group with fixed-etf off beside the same group with it on. */
function efficiency(groups: readonly Group[], flags: readonly string[]): GridReport['efficiency'] {
  if (!flags.includes(FIXED_ETF_FLAG)) return { note: `the grid has no "${FIXED_ETF_FLAG}" axis, so there is no learned-versus-fixed-ETF comparison` };
  const rest = flags.filter((k) => k !== FIXED_ETF_FLAG);
  const id = (g: Group) => JSON.stringify(rest.map((k) => g.key[k] ?? null));
  const rows: EfficiencyRow[] = [];
  for (const learned of groups.filter((g) => g.key[FIXED_ETF_FLAG] !== true)) {
    const fixed = groups.find((g) => g.key[FIXED_ETF_FLAG] === true && id(g) === id(learned));
    if (!fixed) continue;
    const lp = learned.metrics.trainableParams?.mean ?? null;
    const fp = fixed.metrics.trainableParams?.mean ?? null;
    rows.push({
      key: Object.fromEntries(rest.map((k) => [k, learned.key[k]])) as Assignment, label: labelOf(learned.key, rest),
      learnedParams: lp, fixedParams: fp, fewerParams: lp && fp !== null ? 1 - fp / lp : null,
      learned: learned.metrics, fixed: fixed.metrics,
    });
  }
  return rows.length ? { rows } : { note: 'no finished pair of a learned and a fixed-ETF group yet' };
}

export function buildReport(manifest: Manifest, statuses: readonly RunStatus[], groupByAxis?: string): { report: GridReport; bands: Map<string, NcRun[]> } {
  const values = new Map(manifest.runs.map((r) => [r.name, r.values]));
  const finished = statuses.map((s) => finishedRunOf(s, values.get(s.name) ?? {})).filter((r): r is FinishedRun => r !== null);
  const flags = groupFlags(manifest.varying);
  if (groupByAxis !== undefined && !flags.includes(groupByAxis)) {
    throw new GridError(`--group-by ${groupByAxis}: not a varying flag of this grid other than ${SEED_FLAG} (choose one of: ${flags.join(', ') || 'none'})`);
  }
  const grouped = groupRuns(finished, manifest.varying);
  const axis = groupByAxis ?? flags[0];
  // One figure per combination of the flags other than the grouping axis; one band per value of the axis.
  const others = flags.filter((k) => k !== axis);
  const figures = new Map<string, { fixed: Assignment; runs: NcRun[] }>();
  for (const { group, members } of grouped) {
    const fixed = Object.fromEntries(others.map((k) => [k, group.key[k]])) as Assignment;
    const id = JSON.stringify(others.map((k) => group.key[k] ?? null));
    const band = seedBand(members);
    if (band.records.length === 0) continue;
    const fig = figures.get(id) ?? { fixed, runs: [] };
    const seeds = members.length > 1 ? ` (${members.length} seeds)` : '';
    fig.runs.push({ label: `${axis === undefined ? 'all runs' : `${axis}=${cell(group.key[axis])}`}${seeds}`, records: band.records, band: { lower: band.lower, upper: band.upper } });
    figures.set(id, fig);
  }
  const bands = new Map<string, NcRun[]>();
  const figureList: GridReport['figures'] = [];
  for (const { fixed, runs } of figures.values()) {
    const suffix = others.map((k) => `${k}=${cell(fixed[k])}`).join('_').replace(/[^A-Za-z0-9._=+-]/g, '-');
    const name = `nc-curves${axis ? `-by-${axis}` : ''}${suffix ? `_${suffix}` : ''}`;
    bands.set(name, runs);
    figureList.push({ name, axis: axis ?? '', fixed });
  }
  const missing = statuses.filter((s) => !finished.some((f) => f.name === s.name)).map((s) => ({ name: s.name, state: s.state, detail: s.detail }));
  const report: GridReport = {
    name: manifest.name, runsTotal: statuses.length, runsFinished: finished.length, missing, groupBy: flags,
    metrics: metricDefs(finished).map(({ key, label }) => ({ key, label })), groups: grouped.map((g) => g.group),
    efficiency: efficiency(grouped.map((g) => g.group), flags), figures: figureList,
  };
  return { report, bands };
}

function fmtStat(s: Stat | null | undefined, integer = false): string {
  if (!s) return '–';
  const f = (v: number) => (v === 0 || (integer && Number.isInteger(v)) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2));
  return s.sd === null ? f(s.mean) : `${f(s.mean)} ± ${f(s.sd)}`;
}

export function reportMarkdown(r: GridReport): string {
  const out: string[] = [`# Grid report: ${r.name}`, ''];
  out.push(`${r.runsFinished} of ${r.runsTotal} runs finished.${r.missing.length ? ' Not in this report (not finished):' : ''}`);
  for (const m of r.missing) out.push(`- ${m.name}: ${m.state}${m.detail ? ` (${m.detail})` : ''}`);
  out.push('', '## Final metrics, mean ± sd over seeds', '');
  const head = [...r.groupBy, 'seeds', ...r.metrics.map((m) => m.label)];
  out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const g of r.groups) {
    out.push(`| ${[...r.groupBy.map((k) => cell(g.key[k])), String(g.runs.length), ...r.metrics.map((m) => fmtStat(g.metrics[m.key], m.key === 'trainableParams'))].join(' | ')} |`);
  }
  out.push('', '## Learned versus fixed-ETF classifier: parameter efficiency', '');
  if ('note' in r.efficiency) {
    out.push(`Not available: ${r.efficiency.note}.`);
  } else {
    out.push('| group | trainable params, learned | trainable params, fixed ETF | fewer params | test exact (top-m), learned | test exact (top-m), fixed ETF | NC1, learned | NC1, fixed ETF |', '|---|---|---|---|---|---|---|---|');
    for (const row of r.efficiency.rows) {
      out.push(`| ${row.label || 'all'} | ${row.learnedParams ?? '–'} | ${row.fixedParams ?? '–'} | ${row.fewerParams === null ? '–' : `${(100 * row.fewerParams).toFixed(1)}%`} | ${fmtStat(row.learned.testExactTopM)} | ${fmtStat(row.fixed.testExactTopM)} | ${fmtStat(row.learned.nc1)} | ${fmtStat(row.fixed.nc1)} |`);
    }
  }
  out.push('', '## NC curves', '', 'Lines: mean over seeds; bands: the range (min to max) over seeds.', '');
  for (const f of r.figures) out.push(`![${f.name}](${f.name}.svg)`);
  out.push('');
  return out.join('\n');
}

/** Writes report.json, report.md and the figures (SVG, and PNG unless png is false) into GRID_DIR/report. */
export function writeReport(grid: GridDir, r: { report: GridReport; bands: Map<string, NcRun[]> }, opts: { png: boolean }): string[] {
  const dir = grid.reportDir;
  const written = [join(dir, 'report.json'), join(dir, 'report.md')];
  writeJsonAtomic(written[0], r.report);
  writeFileAtomic(written[1], reportMarkdown(r.report));
  for (const f of r.report.figures) {
    const fixed = Object.entries(f.fixed).map(([k, v]) => `${k}=${cell(v)}`).join(', ');
    const svg = ncCurvesFigure({
      title: `${r.report.name}: NC metrics by ${f.axis || 'run'}${fixed ? ` (${fixed})` : ''}; mean and range over seeds`,
      xLabel: 'epoch', runs: r.bands.get(f.name) ?? [],
    });
    const w = writeFigure(dir, f.name, svg, { png: opts.png });
    written.push(w.svg, ...(w.png ? [w.png] : []));
  }
  return written;
}
