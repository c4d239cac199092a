/**
 * One UFM experiment: build a balanced design, minimise the PAL objective from a seeded random start, measure the
 * optimum's geometry with src/geometry, and set it beside the independent reduced-problem theory solver.
 * Pure apart from the clock: the CLI (`mlnc ufm`) and the sweep both call it and own all I/O.
 */
import { ncMetrics, type NcReport } from '../geometry/index.js';
import { Rng } from '../util/rng.js';
import { UserError } from '../util/userError.js';
import { balancedDesign, type UfmDesign } from './design.js';
import { minimizeGradientDescent } from './gd.js';
import { randomUfmPoint } from './init.js';
import { minimizeLbfgs } from './lbfgs.js';
import { ufmObjective, unpackUfm, type ObjectiveFunction, type UfmProblem } from './objective.js';
import type { OptimizeResult, StopReason } from './optimizer.js';
import type { PalLoss } from './pal.js';
import { solveUfmTheory, type TheoryOptimum } from './theory.js';

/** L-BFGS certifies optima; gradient descent shows the dynamics. The one list of UFM optimizer names. */
export const UFM_OPTIMIZERS = ['lbfgs', 'gd'] as const;
export type UfmOptimizerName = (typeof UFM_OPTIMIZERS)[number];

export interface UfmExperimentConfig {
  readonly K: number;
  readonly d: number;
  /** n_m: samples per label set of each multiplicity m. */
  readonly perSet: Readonly<Record<number, number>>;
  readonly lambdaW: number;
  readonly lambdaH: number;
  readonly lambdaB: number;
  readonly loss: PalLoss;
  readonly optimizer: UfmOptimizerName;
  readonly tol: number;
  readonly maxIter: number;
  readonly seed: number;
  /** Gradient descent only: step size, Nesterov momentum (0 = plain) and how often to record NC metrics. */
  readonly lr: number;
  readonly momentum: number;
  readonly recordEvery: number;
}

export const DEFAULT_UFM_CONFIG: UfmExperimentConfig = Object.freeze({
  K: 10,
  d: 32,
  perSet: Object.freeze({ 1: 20, 2: 2 }),
  lambdaW: 5e-3,
  lambdaH: 5e-3,
  lambdaB: 1e-2,
  loss: 'pal',
  optimizer: 'lbfgs',
  tol: 1e-9,
  maxIter: 20_000,
  seed: 0,
  lr: 1,
  momentum: 0.9,
  recordEvery: 50,
});

/** The NC metrics the JSON report carries; `null` where a metric is undefined (e.g. at the zero point). */
export interface UfmMetrics {
  readonly nc1: number | null;
  readonly nc2W: number | null;
  readonly nc2H: number | null;
  readonly nc2HUncentred: number | null;
  readonly nc3: number | null;
  readonly tagAngle: number | null;
  readonly bNorm: number;
  /** Per multiplicity: mean, spread, direction error and relative error of ρ̂ against the theory. */
  readonly rhoStats: NcReport['rho'];
  /** Why metrics are null, when they are. */
  readonly undefinedReason?: string;
}

export interface UfmHistoryPoint {
  readonly iteration: number;
  readonly objective: number;
  readonly maxAbsGrad: number;
  readonly nc1: number | null;
  readonly nc2W: number | null;
  readonly nc2H: number | null;
  readonly nc3: number | null;
  readonly tagAngle: number | null;
  /** |ρ̂_m − ρ_m|/ρ_m per multiplicity (theory ρ), where defined. */
  readonly rhoError: Readonly<Record<string, number>>;
}

export interface UfmTheorySummary {
  readonly objective: number;
  readonly wNorm: number;
  readonly rho: Readonly<Record<string, number>>;
  readonly trivial: boolean;
  readonly s: number;
  readonly gamma: Readonly<Record<string, number>>;
  readonly logitGap: Readonly<Record<string, number>>;
}

export interface UfmReport {
  readonly objective: number;
  readonly maxAbsGrad: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly stopReason: StopReason;
  readonly seconds: number;
  /** Mean row norm of W. */
  readonly wNorm: number;
  /** Measured mean ρ̂ per multiplicity ("2", "3", ...). */
  readonly rho: Readonly<Record<string, number>>;
  readonly metrics: UfmMetrics;
  readonly theory: UfmTheorySummary;
  /** Relative differences optimizer vs theory. */
  readonly difference: {
    readonly objective: number;
    readonly wNorm: number | null;
    readonly rho: Readonly<Record<string, number>>;
  };
  readonly N: number;
  /** The ETF theorem assumes d ≥ K − 1. */
  readonly etfTheoremApplies: boolean;
  readonly history?: readonly UfmHistoryPoint[];
  /** Threads of each objective evaluation, when the caller ran it on several (see `options.evaluate`). */
  readonly threads?: number;
  readonly config: UfmExperimentConfig;
}

/** Thrown for a configuration the experiment cannot run. */
export class UfmConfigError extends UserError {}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

function meanRowNorm(data: Float64Array, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[r * cols + j] ** 2;
    total += Math.sqrt(s);
  }
  return total / rows;
}

/**
 * The theory's optimum as the JSON report carries it: objective, ‖w_k‖, ρ_m, s, and γ_m and the logit gap per multiplicity.
 * @example
 * const theory = solveUfmTheory({ K: 4, perSetCount: { 1: 3, 2: 2 }, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3 });
 * summarizeTheory(theory).rho['2']; // ≈ 1.7508648
 */
export function summarizeTheory(theory: TheoryOptimum): UfmTheorySummary {
  const byM = (f: (mm: TheoryOptimum['multiplicities'][number]) => number) =>
    Object.fromEntries(theory.multiplicities.map((mm) => [String(mm.m), f(mm)]));
  return {
    objective: theory.objective,
    wNorm: theory.rowNorm,
    rho: Object.fromEntries(Object.entries(theory.rho).map(([m, r]) => [m, r])),
    trivial: theory.trivial,
    s: theory.s,
    gamma: byM((mm) => mm.gamma),
    logitGap: byM((mm) => mm.logitGap),
  };
}

/**
 * NC metrics of a UFM point; null metrics with a reason at (numerically) zero W or H, where they are undefined.
 * @example
 * const design = balancedDesign(4, { 1: 3, 2: 2 });
 * const theory = solveUfmTheory({ K: 4, perSetCount: { 1: 3, 2: 2 }, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3 });
 * const { metrics } = ufmPointMetrics(design, 6, theoryPoint(theory, design.labels, 6), { 2: theory.rho[2] });
 * metrics.nc1; // ≈ 0.0000000
 */
export function ufmPointMetrics(
  design: UfmDesign,
  d: number,
  x: Float64Array,
  theoryRho: Readonly<Record<string, number>>,
): { metrics: UfmMetrics; wNorm: number } {
  const { W, H, b } = unpackUfm({ K: design.K, d }, design.N, x);
  const wNorm = meanRowNorm(W.data, design.K, d);
  let bSq = 0;
  for (let k = 0; k < b.length; k++) bSq += b[k] * b[k];
  const bNorm = Math.sqrt(bSq);
  try {
    const r = ncMetrics({
      features: H,
      labels: design.labels,
      K: design.K,
      classifier: W,
      bias: b,
      theoryRho: Object.keys(theoryRho).length > 0 ? theoryRho : undefined,
    });
    return {
      wNorm,
      metrics: {
        nc1: r.nc1, nc2W: r.nc2W, nc2H: r.nc2H, nc2HUncentred: r.nc2HUncentred, nc3: r.nc3,
        tagAngle: r.tagAngle, bNorm, rhoStats: r.rho,
      },
    };
  } catch (err) {
    // At the trivial optimum W = H = 0 the ETF distances divide by zero: report why instead of NaN.
    return {
      wNorm,
      metrics: {
        nc1: null, nc2W: null, nc2H: null, nc2HUncentred: null, nc3: null, tagAngle: null, bNorm, rhoStats: {},
        undefinedReason: (err as Error).message,
      },
    };
  }
}

/**
 * The UFM problem of a config and its (balanced) design.
 * @example
 * const config = { ...DEFAULT_UFM_CONFIG, K: 4, perSet: { 1: 3, 2: 2 } };
 * ufmProblemOf(config, balancedDesign(4, config.perSet)).labels.length; // → 24
 */
export function ufmProblemOf(config: UfmExperimentConfig, design: UfmDesign): UfmProblem {
  return {
    K: config.K, d: config.d, labels: design.labels, loss: config.loss,
    lambdaW: config.lambdaW, lambdaH: config.lambdaH, lambdaB: config.lambdaB,
  };
}

/**
 * `evaluate` replaces the single-threaded objective (e.g. src/parallel's two-thread one for large designs); it must
 * compute exactly the objective of `config`.
 * @example
 * // reference case A: K = 4, n_1 = 3, n_2 = 2, λ_W = λ_H = 5e-3
 * const report = runUfmExperiment({ ...DEFAULT_UFM_CONFIG, K: 4, d: 6, perSet: { 1: 3, 2: 2 } });
 * report.objective; // ≈ 0.8947813933
 * report.theory.objective; // ≈ 0.8947813933
 */
export function runUfmExperiment(config: UfmExperimentConfig, options: { evaluate?: ObjectiveFunction } = {}): UfmReport {
  let design: UfmDesign;
  try {
    design = balancedDesign(config.K, config.perSet);
  } catch (err) {
    throw new UfmConfigError((err as Error).message);
  }
  const problem = ufmProblemOf(config, design);
  const theory = solveUfmTheory({
    K: config.K, perSetCount: config.perSet, loss: config.loss, lambdaW: config.lambdaW, lambdaH: config.lambdaH,
  });
  const theorySummary = summarizeTheory(theory);
  const evaluate = options.evaluate ?? ufmObjective(problem).evaluate;
  const x0 = randomUfmPoint(problem, new Rng(config.seed));

  const t0 = performance.now();
  let result: OptimizeResult;
  const history: UfmHistoryPoint[] = [];
  if (config.optimizer === 'lbfgs') {
    result = minimizeLbfgs(evaluate, x0, { tol: config.tol, maxIter: config.maxIter });
  } else {
    result = minimizeGradientDescent(evaluate, x0, {
      step: config.lr,
      momentum: config.momentum,
      tol: config.tol,
      maxIter: config.maxIter,
      every: config.recordEvery,
      onIteration: (info) => {
        const { metrics } = ufmPointMetrics(design, config.d, info.x, theorySummary.rho);
        const rhoError: Record<string, number> = {};
        for (const [m, st] of Object.entries(metrics.rhoStats)) if (st.relErr !== null) rhoError[m] = st.relErr;
        history.push({
          iteration: info.iteration, objective: info.objective, maxAbsGrad: info.maxAbsGrad,
          nc1: metrics.nc1, nc2W: metrics.nc2W, nc2H: metrics.nc2H, nc3: metrics.nc3, tagAngle: metrics.tagAngle,
          rhoError,
        });
      },
    });
  }
  // The clock covers the optimisation alone, not the NC metrics recorded along the way.
  const seconds = (performance.now() - t0) / 1000;

  const { metrics, wNorm } = ufmPointMetrics(design, config.d, result.x, theorySummary.rho);
  const rho: Record<string, number> = {};
  for (const [m, st] of Object.entries(metrics.rhoStats)) rho[m] = st.mean;
  const rhoDiff: Record<string, number> = {};
  for (const [m, r] of Object.entries(theorySummary.rho)) if (m in rho) rhoDiff[m] = relDiff(rho[m], r);

  return {
    objective: result.objective,
    maxAbsGrad: result.maxAbsGrad,
    iterations: result.iterations,
    evaluations: result.evaluations,
    stopReason: result.stopReason,
    seconds,
    wNorm,
    rho,
    metrics,
    theory: theorySummary,
    difference: {
      objective: relDiff(result.objective, theory.objective),
      wNorm: theory.trivial ? null : relDiff(wNorm, theory.rowNorm),
      rho: rhoDiff,
    },
    N: design.N,
    etfTheoremApplies: config.d >= config.K - 1,
    ...(config.optimizer === 'gd' ? { history } : {}),
    config,
  };
}
