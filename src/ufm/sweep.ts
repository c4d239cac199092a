/**
 * A one-parameter sweep of the multi-label UFM: the theory's ρ_m on a dense grid and the optimizer's measured ρ̂_m on
 * a coarser grid (Li et al. 2024: ρ_m depends on the regularisation and on the sample counts). Pure: the CLI runs
 * the optimizer points in parallel and writes the result.
 */
import { solveUfmTheory } from './theory.js';
import type { UfmExperimentConfig, UfmReport } from './experiment.js';

/** `lambda-h`: λ_H on a log grid (λ_W follows it when `tieLambdaW`); `ratio`: n_2/n_1 with n_1 fixed. */
export const SWEEP_PARAMS = ['lambda-h', 'ratio'] as const;
export type SweepParam = (typeof SWEEP_PARAMS)[number];

export interface SweepSpec {
  readonly param: SweepParam;
  readonly from: number;
  readonly to: number;
  /** Optimizer runs (the theory curve is evaluated on `theoryPoints`). */
  readonly points: number;
  readonly theoryPoints: number;
  /** λ_W = λ_H along a λ_H sweep (the paper's usual setting). */
  readonly tieLambdaW: boolean;
}

export interface SweepTheoryPoint {
  readonly x: number;
  readonly trivial: boolean;
  readonly objective: number;
  /** ρ_m per multiplicity; null where the zero solution wins. */
  readonly rho: Readonly<Record<string, number | null>>;
}

export interface SweepUfmPoint {
  readonly x: number;
  readonly rho: Readonly<Record<string, number>>;
  readonly rhoStd: Readonly<Record<string, number>>;
  readonly objective: number;
  readonly theoryObjective: number;
  /** The theory at this grid value: ρ_m, and whether W = H = 0 is the minimum. */
  readonly theoryRho: Readonly<Record<string, number>>;
  readonly trivial: boolean;
  readonly maxAbsGrad: number;
  readonly stopReason: string;
  readonly seconds: number;
}

export interface SweepResult {
  readonly param: SweepParam;
  readonly xLabel: string;
  readonly theory: readonly SweepTheoryPoint[];
  readonly ufm: readonly SweepUfmPoint[];
  readonly base: UfmExperimentConfig;
  readonly spec: SweepSpec;
}

/**
 * The x-axis label of a sweep's figure.
 * @example
 * sweepXLabel('lambda-h'); // → 'λ_H (= λ_W)'
 */
export function sweepXLabel(param: SweepParam): string {
  return param === 'lambda-h' ? 'λ_H (= λ_W)' : 'n₂ / n₁ (samples per pair over samples per class)';
}

/**
 * Grid values: geometric for λ_H, and for the ratio the distinct integer n_2 = round(r·n_1) over a linear grid.
 * @example
 * const spec: SweepSpec = { param: 'lambda-h', from: 1e-3, to: 1e-1, points: 3, theoryPoints: 3, tieLambdaW: true };
 * sweepGrid(spec, DEFAULT_UFM_CONFIG, 3); // ≈ [0.0010000, 0.0100000, 0.1000000]
 */
export function sweepGrid(spec: SweepSpec, base: UfmExperimentConfig, count: number): number[] {
  const { from, to, param } = spec;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from > 0 && to > from)) {
    throw new Error(`sweep: need 0 < from < to, got from = ${from}, to = ${to}`);
  }
  if (!Number.isInteger(count) || count < 2) throw new Error(`sweep: need at least 2 grid points, got ${count}`);
  if (param === 'lambda-h') {
    return Array.from({ length: count }, (_, i) => from * (to / from) ** (i / (count - 1)));
  }
  const n1 = base.perSet[1];
  const xs = new Set<number>();
  for (let i = 0; i < count; i++) {
    const n2 = Math.max(1, Math.round((from + ((to - from) * i) / (count - 1)) * n1));
    xs.add(n2 / n1);
  }
  return [...xs].sort((a, b) => a - b);
}

/**
 * The experiment config at one grid value.
 * @example
 * // n₂/n₁ = 0.5 with the default n₁ = 20
 * const spec: SweepSpec = { param: 'ratio', from: 0.1, to: 1, points: 4, theoryPoints: 4, tieLambdaW: true };
 * sweepConfigAt(spec, DEFAULT_UFM_CONFIG, 0.5).perSet; // → { 1: 20, 2: 10 }
 */
export function sweepConfigAt(spec: SweepSpec, base: UfmExperimentConfig, x: number): UfmExperimentConfig {
  if (spec.param === 'lambda-h') {
    return { ...base, lambdaH: x, lambdaW: spec.tieLambdaW ? x : base.lambdaW };
  }
  const n2 = Math.round(x * base.perSet[1]);
  return { ...base, perSet: { ...base.perSet, 2: n2 } };
}

/**
 * The theory's ρ_m (null where W = H = 0 wins) and objective on the sweep's theory grid.
 * @example
 * const spec: SweepSpec = { param: 'lambda-h', from: 5e-3, to: 5e-2, points: 2, theoryPoints: 2, tieLambdaW: true };
 * const [first] = sweepTheory(spec, { ...DEFAULT_UFM_CONFIG, K: 4, perSet: { 1: 3, 2: 2 } });
 * first.rho['2']; // ≈ 1.7508648
 */
export function sweepTheory(spec: SweepSpec, base: UfmExperimentConfig): SweepTheoryPoint[] {
  return sweepGrid(spec, base, spec.theoryPoints).map((x) => {
    const c = sweepConfigAt(spec, base, x);
    const t = solveUfmTheory({ K: c.K, perSetCount: c.perSet, loss: c.loss, lambdaW: c.lambdaW, lambdaH: c.lambdaH });
    const rho: Record<string, number | null> = {};
    for (const mm of t.multiplicities) if (mm.m >= 2) rho[String(mm.m)] = mm.rho;
    return { x, trivial: t.trivial, objective: t.objective, rho };
  });
}

/**
 * One optimizer point of the sweep, taken from its experiment's report.
 * @example
 * const report = runUfmExperiment({ ...DEFAULT_UFM_CONFIG, K: 4, d: 6, perSet: { 1: 3, 2: 2 } });
 * sweepUfmPoint(5e-3, report).rho['2']; // ≈ 1.75086
 */
export function sweepUfmPoint(x: number, report: UfmReport): SweepUfmPoint {
  const rhoStd: Record<string, number> = {};
  for (const [m, st] of Object.entries(report.metrics.rhoStats)) rhoStd[m] = st.std;
  return {
    x,
    rho: report.rho,
    rhoStd,
    objective: report.objective,
    theoryObjective: report.theory.objective,
    theoryRho: report.theory.rho,
    trivial: report.theory.trivial,
    maxAbsGrad: report.maxAbsGrad,
    stopReason: report.stopReason,
    seconds: report.seconds,
  };
}
