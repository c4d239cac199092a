/**
 * Built-in UFM inputs of the figures: a gradient-descent run with its NC history, the K = 3 geometry (random start vs
 * optimum, multi-class vs multi-label) and the Gram matrices of a K = 10 optimum. Everything runs on src/ufm (fast,
 * seconds); no files.
 */
import { classMeans, groupByLabelSet } from '../geometry/index.js';
import { matrix, type LabelSet, type Matrix } from '../geometry/types.js';
import type { GeometryInput, GeometryRow, GramInput, NcRun } from '../plot/index.js';
import { balancedDesign } from '../ufm/design.js';
import { DEFAULT_UFM_CONFIG, runUfmExperiment, type UfmExperimentConfig, type UfmReport } from '../ufm/experiment.js';
import { randomUfmPoint } from '../ufm/init.js';
import { minimizeLbfgs } from '../ufm/lbfgs.js';
import { ufmObjective, unpackUfm } from '../ufm/objective.js';
import type { PalLoss } from '../ufm/pal.js';
import { solveUfmTheory } from '../ufm/theory.js';
import { Rng } from '../util/rng.js';
import { recordsFromUfmHistory } from './ncRecords.js';

/** The UFM gradient-descent run of the NC-curves figure (K = 6, one ρ per multiplicity 2 and 3). */
export const UFM_GD_CONFIG: UfmExperimentConfig = {
  ...DEFAULT_UFM_CONFIG, K: 6, d: 8, perSet: { 1: 4, 2: 2, 3: 1 }, lambdaW: 5e-3, lambdaH: 5e-3, lambdaB: 1e-2,
  optimizer: 'gd', lr: 1, momentum: 0.9, maxIter: 4000, recordEvery: 10, tol: 1e-10, seed: 1,
};

export function ufmGdRun(config: UfmExperimentConfig = UFM_GD_CONFIG): { run: NcRun; report: UfmReport } {
  const report = runUfmExperiment(config);
  if (!report.history || report.history.length === 0) throw new Error('the UFM gradient-descent run recorded no history');
  const per = Object.entries(config.perSet).map(([m, n]) => `n${m}=${n}`).join(', ');
  return { run: { label: `UFM gradient descent (K=${config.K}, d=${config.d}, ${per}, λ=${config.lambdaH})`, records: recordsFromUfmHistory(report.history) }, report };
}

interface UfmPoints { labels: readonly LabelSet[]; start: { H: Matrix; W: Matrix }; end: { H: Matrix; W: Matrix } }

/** A UFM minimised by L-BFGS from a seeded random start; copies of the start and end points. */
export function ufmStartAndOptimum(K: number, d: number, perSet: Record<number, number>, lambda: number, loss: PalLoss, seed: number, startScale = 0.5): UfmPoints {
  const design = balancedDesign(K, perSet);
  const problem = { K, d, labels: design.labels, loss, lambdaW: lambda, lambdaH: lambda, lambdaB: 1e-2 };
  const x0 = randomUfmPoint(problem, new Rng(seed), startScale);
  const r = minimizeLbfgs(ufmObjective(problem).evaluate, Float64Array.from(x0), { tol: 1e-9, maxIter: 5000 });
  const grab = (x: Float64Array) => {
    const u = unpackUfm(problem, design.N, x);
    return { H: matrix(design.N, d, Float64Array.from(u.H.data)), W: matrix(K, d, Float64Array.from(u.W.data)) };
  };
  return { labels: design.labels, start: grab(x0), end: grab(r.x) };
}

/** Figure 2's UFM rows: K = 3, multi-class (multiplicity 1 only) and multi-label (1 and 2), start vs optimum. */
export function ufmGeometryRows(): GeometryRow[] {
  const K = 3, d = 5, lambda = 5e-3;
  const mc = ufmStartAndOptimum(K, d, { 1: 30 }, lambda, 'pal', 3);
  const perSet = { 1: 30, 2: 20 };
  const ml = ufmStartAndOptimum(K, d, perSet, lambda, 'pal', 4);
  const rho2 = solveUfmTheory({ K, perSetCount: perSet, loss: 'pal', lambdaW: lambda, lambdaH: lambda }).rho[2];
  return [
    { label: 'UFM, multi-class (m = 1 only)', cells: [
      { label: 'random start', snapshot: { features: mc.start.H, labels: mc.labels, classifier: mc.start.W } },
      { label: 'UFM optimum (L-BFGS)', snapshot: { features: mc.end.H, labels: mc.labels, classifier: mc.end.W } },
    ] },
    { label: 'UFM, multi-label (PAL, m = 1, 2)', cells: [
      { label: 'random start', snapshot: { features: ml.start.H, labels: ml.labels, classifier: ml.start.W } },
      { label: 'UFM optimum (L-BFGS)', snapshot: { features: ml.end.H, labels: ml.labels, classifier: ml.end.W, rho2 } },
    ] },
  ];
}

export function ufmGeometryInput(extraRows: readonly GeometryRow[] = []): GeometryInput {
  return { title: 'Feature geometry, K = 3: random start vs optimum', K: 3, rows: [...ufmGeometryRows(), ...extraRows] };
}

/** Class means of the multiplicity-1 samples as rows (K×d). */
export function classMeanRows(features: Matrix, labels: readonly LabelSet[], K: number): Matrix {
  return classMeans(features, groupByLabelSet(labels, K));
}

export function ufmGramInput(): GramInput {
  const K = 10, d = 16;
  const p = ufmStartAndOptimum(K, d, { 1: 5, 2: 1 }, 5e-3, 'pal', 5);
  return { title: `Gram matrices at the UFM optimum (K = ${K}, n1 = 5, n2 = 1)`, W: p.end.W, classMeans: classMeanRows(p.end.H, p.labels, K) };
}
