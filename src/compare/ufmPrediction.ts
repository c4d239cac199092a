/**
 * The UFM's prediction for a training set's K and label-set counts (Li et al. 2024, multi-label UFM), by the cheapest
 * exact route:
 * - balanced within multiplicity, classifier learned: the closed-form reduced problem (solveUfmTheory);
 * - classifier frozen to an ETF (any balance): the per-set stationarity condition in gap form (gapEquation.ts) with the
 *   frozen classifier's α — with W fixed and b = 0 each label set's feature solves its own problem, and the count n_S
 *   cancels from it;
 * - imbalanced, classifier learned: the full UFM minimised by L-BFGS on an explicit design with the same counts.
 * NC distances of the closed forms are exactly 0 (collapse onto an ETF); the L-BFGS route measures them.
 */
import { ncMetrics } from '../geometry/index.js';
import { Rng } from '../util/rng.js';
import { explicitDesign } from '../ufm/design.js';
import { minimizeLbfgs } from '../ufm/lbfgs.js';
import { randomUfmPoint } from '../ufm/init.js';
import { ufmObjective, unpackUfm } from '../ufm/objective.js';
import type { PalLoss } from '../ufm/pal.js';
import { solveUfmTheory } from '../ufm/theory.js';
import { predictFromScale, scaleFromGap1 } from './gapEquation.js';
import type { LabelSetCountSummary } from './labelSetCounts.js';
import { logitGapsByMultiplicity, logitsOf } from './logitGap.js';

/** How the prediction was computed (see the top of this file). */
export type PredictionRoute = 'closed-form' | 'gap-equation' | 'lbfgs';

/** Each route's display name (`method` in reports and the CLI's text). */
export const PREDICTION_METHOD = {
  'closed-form': 'closed form',
  'gap-equation': 'gap equation, fixed ETF classifier',
  lbfgs: 'L-BFGS, explicit design',
} as const satisfies Record<PredictionRoute, string>;

export type PredictionMethod = (typeof PREDICTION_METHOD)[PredictionRoute];

export interface UfmPrediction {
  readonly route: PredictionRoute;
  /** Display name of the route, PREDICTION_METHOD[route]. */
  readonly method: PredictionMethod;
  /** λ in UFM units (λ_W null for a frozen classifier). */
  readonly lambdaW: number | null;
  readonly lambdaH: number;
  /** κ = K·α/(N·λ_H): the one scale the balanced optimum's gaps and ρ depend on (null for the L-BFGS route). */
  readonly kappa: number | null;
  /** True when W = H = 0 is the optimum (regularisation too strong): no geometry to compare. */
  readonly trivial: boolean;
  /** Predicted mean ‖w_k‖ (for a frozen classifier: the frozen norm). */
  readonly rowNorm: number;
  readonly rho: Readonly<Record<string, number>>;
  readonly logitGap: Readonly<Record<string, number>>;
  readonly nc1: number;
  readonly nc2W: number;
  readonly nc2H: number;
  readonly nc3: number;
  /** The UFM optimum decodes every training label set exactly (collapsed, distinct prototypes): 1 unless trivial. */
  readonly decodingAccuracy: number;
  readonly note?: string;
}

export interface PredictionContext {
  readonly K: number;
  readonly loss: PalLoss;
  readonly counts: LabelSetCountSummary;
  /** The frozen classifier's α = ‖w‖²·K/(K−1) when the classifier is fixed; null when it is learned. */
  readonly fixedAlpha: number | null;
  /** Largest explicit design the L-BFGS route builds (counts are scaled down proportionally beyond it). */
  readonly maxSamples?: number;
  readonly seed?: number;
}

const multiplicitiesOf = (c: LabelSetCountSummary) => Object.keys(c.samplesPerMultiplicity).map(Number);

function trivialPrediction(route: PredictionRoute, lambdaW: number | null, lambdaH: number, note: string): UfmPrediction {
  return {
    route, method: PREDICTION_METHOD[route], lambdaW, lambdaH, kappa: null, trivial: true, rowNorm: 0, rho: {}, logitGap: {}, nc1: 0, nc2W: 0, nc2H: 0, nc3: 0,
    decodingAccuracy: 0, note,
  };
}

/** The UFM optimum at given λ (UFM units). */
export function predictAtLambdas(ctx: PredictionContext, lambdaW: number | null, lambdaH: number, lambdaB: number): UfmPrediction {
  const { K, loss, counts } = ctx;
  const ms = multiplicitiesOf(counts);
  if (ctx.fixedAlpha !== null) {
    const kappa = (K * ctx.fixedAlpha) / (counts.N * lambdaH);
    const p = predictFromScale(kappa, K, ms, loss);
    return {
      route: 'gap-equation', method: PREDICTION_METHOD['gap-equation'], lambdaW: null, lambdaH, kappa, trivial: false,
      rowNorm: Math.sqrt((ctx.fixedAlpha * (K - 1)) / K), rho: p.rho, logitGap: p.logitGap, nc1: 0, nc2W: 0, nc2H: 0, nc3: 0,
      decodingAccuracy: 1,
    };
  }
  if (lambdaW === null) throw new Error('UFM prediction: a learned classifier needs λ_W');
  if (counts.perSetCount !== null) {
    const t = solveUfmTheory({ K, perSetCount: counts.perSetCount, loss, lambdaW, lambdaH });
    if (t.trivial) return trivialPrediction('closed-form', lambdaW, lambdaH, 'W = H = 0 is the global optimum at these λ (regularisation too strong)');
    const logitGap: Record<string, number> = {};
    const rho: Record<string, number> = {};
    for (const mm of t.multiplicities) {
      if (mm.m < K) logitGap[String(mm.m)] = mm.logitGap;
      if (mm.m >= 2 && mm.m < K && mm.rho !== null) rho[String(mm.m)] = mm.rho;
    }
    return {
      route: 'closed-form', method: PREDICTION_METHOD['closed-form'], lambdaW, lambdaH, kappa: (K * t.alpha) / (t.N * lambdaH), trivial: false, rowNorm: t.rowNorm,
      rho, logitGap, nc1: 0, nc2W: 0, nc2H: 0, nc3: 0, decodingAccuracy: 1,
    };
  }
  const { x: _x, ...p } = lbfgsPrediction(ctx, lambdaW, lambdaH, lambdaB);
  return p;
}

/** Counts scaled so that N ≤ maxSamples, each set keeping at least one sample; λ_H·N is kept (see below). */
function reducedCounts(counts: LabelSetCountSummary, maxSamples: number): { sets: { set: readonly number[]; count: number }[]; N: number } {
  let g = 0;
  for (const s of counts.sets) g = gcd(g, s.count);
  let sets = counts.sets.map((s) => ({ set: s.set, count: s.count / g }));
  let N = sets.reduce((a, s) => a + s.count, 0);
  if (N > maxSamples) {
    const q = maxSamples / N;
    sets = sets.map((s) => ({ set: s.set, count: Math.max(1, Math.round(s.count * q)) }));
    N = sets.reduce((a, s) => a + s.count, 0);
  }
  return { sets, N };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function lbfgsPrediction(ctx: PredictionContext, lambdaW: number, lambdaH: number, lambdaB: number, x0?: Float64Array): UfmPrediction & { x: Float64Array } {
  const { K, loss, counts } = ctx;
  const { sets, N } = reducedCounts(counts, ctx.maxSamples ?? 4000);
  // At collapse the objective is (1/N)Σ_S n_S·PAL_S + (λ_H/2)Σ_S n_S‖h_S‖²: scaling every n_S by q and λ_H by 1/q
  // leaves it unchanged, so the smaller design with λ_H·N/N' has the same optimum (exactly for the gcd, to rounding
  // of the counts beyond maxSamples).
  const lH = (lambdaH * counts.N) / N;
  const design = explicitDesign(K, sets);
  const d = K;
  const problem = { K, d, labels: design.labels, loss, lambdaW, lambdaH: lH, lambdaB };
  const obj = ufmObjective(problem);
  const start = x0 ?? randomUfmPoint(problem, new Rng(ctx.seed ?? 0));
  const r = minimizeLbfgs(obj.evaluate, start, { tol: 1e-9, maxIter: 5000 });
  const { W, H, b } = unpackUfm(problem, design.N, r.x);
  let rowNorm = 0;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += W.data[k * d + t] ** 2;
    rowNorm += Math.sqrt(s) / K;
  }
  if (rowNorm < 1e-8) return { ...trivialPrediction('lbfgs', lambdaW, lambdaH, 'the L-BFGS optimum is W = H = 0 (regularisation too strong)'), x: r.x };
  const nc = ncMetrics({ features: H, labels: design.labels, K, classifier: W, bias: b });
  const rho: Record<string, number> = {};
  for (const [m, s] of Object.entries(nc.rho)) rho[m] = s.mean;
  const logitGap = logitGapsByMultiplicity(logitsOf(H.data, design.N, d, W.data, b, K), design.labels, K);
  return {
    route: 'lbfgs', method: PREDICTION_METHOD.lbfgs, lambdaW, lambdaH, kappa: null, trivial: false, rowNorm, rho, logitGap,
    nc1: nc.nc1, nc2W: nc.nc2W as number, nc2H: nc.nc2H, nc3: nc.nc3 as number, decodingAccuracy: 1,
    note: `full UFM (d = K = ${K}) on the training set's ${counts.sets.length} label sets, ${design.N} samples in the same proportions` +
      `; max |∇| = ${r.maxAbsGrad.toExponential(1)} (${r.stopReason})`,
    x: r.x,
  };
}

/**
 * The one free scale fitted to the network: the UFM optimum whose multiplicity-1 logit gap equals the network's.
 * Balanced or frozen classifier: κ = t̂_1·(e^{t̂_1} + K − 1) directly; imbalanced: both λ scaled by one factor,
 * bisected on log scale with warm starts.
 */
export function predictFitted(
  ctx: PredictionContext, networkGap1: number, networkAlpha: number, base: { lambdaW: number; lambdaH: number; lambdaB: number },
): UfmPrediction {
  const { K, loss, counts } = ctx;
  if (ctx.fixedAlpha !== null || counts.perSetCount !== null) {
    const kappa = scaleFromGap1(networkGap1, K);
    const p = predictFromScale(kappa, K, multiplicitiesOf(counts), loss);
    const alpha = ctx.fixedAlpha ?? networkAlpha;
    const route: PredictionRoute = ctx.fixedAlpha !== null ? 'gap-equation' : 'closed-form';
    return {
      route, method: PREDICTION_METHOD[route],
      lambdaW: null, lambdaH: (K * alpha) / (counts.N * kappa), kappa, trivial: false,
      rowNorm: Math.sqrt((alpha * (K - 1)) / K), rho: p.rho, logitGap: p.logitGap, nc1: 0, nc2W: 0, nc2H: 0, nc3: 0, decodingAccuracy: 1,
      note: 'κ = K·α/(N·λ_H) fitted so that the multiplicity-1 logit gap equals the network\'s; λ_H shown is the value that gives it with the network\'s ‖w_k‖',
    };
  }
  if (!(networkGap1 > 0)) throw new Error(`the network's multiplicity-1 logit gap is ${networkGap1}; no UFM optimum has a non-positive gap`);
  // Gap decreases as λ grows: bisect log c so that gap_1(c·λ) = t̂_1.
  let lo = -12;
  let hi = 12;
  let x: Float64Array | undefined;
  let best: (UfmPrediction & { x: Float64Array }) | null = null;
  for (let it = 0; it < 22; it++) {
    const mid = 0.5 * (lo + hi);
    const c = Math.exp(mid);
    const p = lbfgsPrediction(ctx, base.lambdaW * c, base.lambdaH * c, base.lambdaB, x);
    const g1 = p.trivial ? 0 : p.logitGap['1'];
    if (!p.trivial) x = p.x;
    if (g1 > networkGap1) lo = mid; else hi = mid;
    if (!p.trivial) best = p;
    if (!p.trivial && Math.abs(g1 - networkGap1) <= 1e-4 * networkGap1) break;
  }
  if (!best) throw new Error('fitting the UFM scale failed: every trial λ gave the trivial optimum');
  const { x: _x, ...pred } = best;
  return { ...pred, note: `${pred.note ?? ''}; λ_W and λ_H scaled by one factor until the multiplicity-1 logit gap matches the network's` };
}
