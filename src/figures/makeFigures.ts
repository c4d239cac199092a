/**
 * `mlnc figures`: gathers run outputs and built-in UFM runs into the src/plot figure inputs and writes every figure
 * as SVG + PNG into one folder. Renderers are src/plot's; this file only decides what goes into each.
 */
import { comparisonTableInput, type ComparisonReport, type NetworkSnapshot } from '../compare/index.js';
import { matrix } from '../geometry/types.js';
import {
  comparisonTableFigure, fixedVsLearnedFigure, geometryFigure, gramFigure, ncCurvesFigure, rhoFigure, type GeometryRow, type NcRun,
} from '../plot/index.js';
import type { SweepResult } from '../ufm/sweep.js';
import { compareRunDir } from './compareRunDir.js';
import { fixedVsLearnedInput } from './fixedVsLearnedData.js';
import { recordsFromMetrics } from './ncRecords.js';
import { rhoInputForNetworks, rhoInputFromSweep } from './rhoData.js';
import { runLabel, type TrainingRun } from './runDir.js';
import { classMeanRows, ufmGdRun, ufmGeometryInput, ufmGramInput } from './ufmFigureData.js';
import { writeFigure, type WrittenFigure } from './writeFigure.js';
import { withRunLock } from '../run/lock.js';

export interface MakeFiguresOptions {
  readonly runDirs: readonly string[];
  readonly outDir: string;
  /** `mlnc ufm sweep` output for figure 3a; null skips it. */
  readonly sweep: SweepResult | null;
  readonly backend?: string;
  readonly png?: boolean;
  readonly log?: (message: string) => void;
}

interface AnalysedRun {
  run: TrainingRun;
  report: ComparisonReport;
  snapshot: NetworkSnapshot;
}

export async function makeFigures(opts: MakeFiguresOptions): Promise<WrittenFigure[]> {
  return withRunLock(opts.outDir, () => makeFiguresLocked(opts));
}

async function makeFiguresLocked(opts: MakeFiguresOptions): Promise<WrittenFigure[]> {
  const log = opts.log ?? (() => {});
  const out: WrittenFigure[] = [];
  const put = (name: string, svg: string) => {
    const w = writeFigure(opts.outDir, name, svg, { png: opts.png });
    out.push(w);
    log(`${name}: ${w.svg}${w.png ? `, ${w.png}` : ''}`);
  };

  // Every run is compared first: the comparison supplies the mapped λ and the reference ρ of the other figures.
  const analysed: AnalysedRun[] = [];
  for (const dir of opts.runDirs) {
    const c = await compareRunDir(dir, { backend: opts.backend, log });
    analysed.push({ run: c.run, report: c.report, snapshot: c.snapshot });
    log(`compare: ${c.json}, ${c.svg}`);
  }

  // 1. NC metrics over time.
  if (analysed.length > 0) {
    const runs: NcRun[] = analysed.map((a) => ({
      label: `${runLabel(a.run)}${a.report.fitted ? ' — ρ error vs fitted UFM' : ''}`,
      records: recordsFromMetrics(a.run.lines, a.report.fitted?.rho),
    }));
    put('nc-curves-training', ncCurvesFigure({ title: 'Neural collapse during training (training set)', xLabel: 'epoch', runs }));
  }

  // (training curves first: bad run data fails before the UFM runs)
  const gd = ufmGdRun();
  put('nc-curves-ufm', ncCurvesFigure({ title: 'UFM under gradient descent: neural collapse', xLabel: 'iteration', runs: [gd.run] }));

  // 2. Geometry, K = 3 (a network row when a K = 3 run is given).
  const extra: GeometryRow[] = analysed.filter((a) => a.report.K === 3).slice(0, 1).map((a) => ({
    label: `network: ${a.run.name}`,
    cells: [{ label: `epoch ${a.report.epoch}`, snapshot: { features: matrix(a.snapshot.labels.length, a.snapshot.d, a.snapshot.features), labels: a.snapshot.labels, classifier: matrix(3, a.snapshot.d, Float64Array.from(a.snapshot.W)) } }],
  }));
  put('geometry-k3', geometryFigure(ufmGeometryInput(extra)));

  // 3. ρ_m against a swept parameter.
  if (opts.sweep) put('rho-ufm-sweep', rhoFigure(rhoInputFromSweep(opts.sweep)));
  const rhoNet = rhoInputForNetworks(analysed.map((a) => ({ label: a.run.name, report: a.report, labels: a.snapshot.labels, fixedEtf: a.run.config.fixedEtf })));
  if (rhoNet) put('rho-network', rhoFigure(rhoNet));

  // 4. Gram matrices.
  put('gram-ufm', gramFigure(ufmGramInput()));
  const learned = analysed.find((a) => !a.run.config.fixedEtf) ?? analysed[0];
  if (learned) {
    const s = learned.snapshot;
    const H = matrix(s.labels.length, s.d, s.features);
    put('gram-network', gramFigure({
      title: `Gram matrices of a trained network (${learned.run.config.fixedEtf ? 'fixed ETF' : 'learned W'}, epoch ${learned.report.epoch})`,
      W: matrix(s.K, s.d, Float64Array.from(s.W)), classMeans: classMeanRows(H, s.labels, s.K),
    }));
  }

  // 5. Fixed ETF vs learned classifier.
  const fvl = fixedVsLearnedInput(analysed.map((a) => a.run));
  if (fvl) put('fixed-vs-learned', fixedVsLearnedFigure(fvl));

  // 6. The comparison table of the (first learned) run, as `mlnc compare` writes it into the run directory.
  if (learned) {
    put('compare', comparisonTableFigure(comparisonTableInput(learned.report, `UFM prediction vs trained network (${runLabel(learned.run)}, epoch ${learned.report.epoch})`)));
  }
  return out;
}
