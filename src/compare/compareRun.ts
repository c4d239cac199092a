/**
 * `mlnc compare`'s pure core: a trained network's final features, logits and classifier set beside the multi-label
 * UFM's prediction for the same K and label-set counts (Li et al. 2024). No filesystem, no tfjs: the loader in
 * src/figures/runSnapshot.ts supplies the snapshot.
 */
import { ncMetrics } from '../geometry/index.js';
import { matrix } from '../geometry/types.js';
import type { ComparisonRow, ComparisonTableInput } from '../plot/comparisonTable.js';
import { countLabelSets, type LabelSetCountSummary } from './labelSetCounts.js';
import { mapToUfmLambdas, type UfmLambdas } from './lambdaMapping.js';
import { logitGapsByMultiplicity } from './logitGap.js';
import { predictAtLambdas, predictFitted, type UfmPrediction } from './ufmPrediction.js';
import type { CompareSettings, ComparisonReport, NetworkGeometry, NetworkSnapshot } from './report.js';
import { writeVerdict } from './verdict.js';

function checkSnapshot(s: NetworkSnapshot): void {
  const N = s.labels.length;
  const checks: [string, ArrayLike<number>, number][] = [['features', s.features, N * s.d], ['logits', s.logits, N * s.K], ['W', s.W, s.K * s.d], ['b', s.b, s.K]];
  for (const [name, a, n] of checks) {
    if (a.length !== n) throw new Error(`compare: ${name} has ${a.length} entries, expected ${n}`);
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new Error(`compare: ${name} has a non-finite entry at index ${i}`);
  }
}

export function networkGeometry(s: NetworkSnapshot): NetworkGeometry {
  checkSnapshot(s);
  const { K, d } = s;
  const nc = ncMetrics({ features: matrix(s.labels.length, d, s.features), labels: s.labels, K, classifier: matrix(K, d, Float64Array.from(s.W)), bias: s.b });
  let sq = 0;
  for (let i = 0; i < K * d; i++) sq += s.W[i] * s.W[i];
  return {
    nc1: nc.nc1, nc2W: nc.nc2W, nc2H: nc.nc2H, nc3: nc.nc3, tagAngle: nc.tagAngle,
    rho: Object.fromEntries(Object.entries(nc.rho).map(([m, r]) => [m, { mean: r.mean, std: r.std, count: r.count, directionErrorDeg: r.directionErrorDeg }])),
    logitGap: logitGapsByMultiplicity(s.logits, s.labels, K),
    rowNorm: nc.wNorm as number,
    alpha: (sq / K) * (K / (K - 1)),
    bNorm: nc.bNorm as number,
    decoding: s.testDecoding ?? null,
  };
}

export function compareToUfm(snapshot: NetworkSnapshot, settings: CompareSettings): ComparisonReport {
  const net = networkGeometry(snapshot);
  const { K } = snapshot;
  const counts: LabelSetCountSummary = countLabelSets(snapshot.labels, K);
  const map = mapToUfmLambdas({
    lambdaH: settings.lambdaH, weightDecay: settings.weightDecay, batchSize: settings.batchSize, trainSamples: counts.N,
    convention: settings.convention, fixedClassifier: settings.fixedEtf,
  });
  const ctx = { K, loss: settings.loss, counts, fixedAlpha: settings.fixedEtf ? net.alpha : null };
  const mapped = map.lambdas ? predictAtLambdas(ctx, map.lambdas.lambdaW, map.lambdas.lambdaH, map.lambdas.lambdaB) : null;
  let fitted: UfmPrediction | null = null;
  let fittedReason: string | null = null;
  const g1 = net.logitGap['1'];
  if (g1 === undefined || !(g1 > 0)) {
    fittedReason = `the network's multiplicity-1 logit gap is ${g1 ?? 'missing'}: it does not rank true labels first, so no UFM scale fits`;
  } else {
    try {
      fitted = predictFitted(ctx, g1, net.alpha, fitStartLambdas(map.lambdas, settings.weightDecay));
    } catch (err) {
      fittedReason = (err as Error).message;
    }
  }
  const base = {
    K, N: counts.N, d: snapshot.d, loss: settings.loss, fixedEtf: settings.fixedEtf, epoch: snapshot.epoch ?? null,
    design: {
      balanced: counts.perSetCount !== null, perSetCount: counts.perSetCount, imbalance: counts.imbalance,
      samplesPerMultiplicity: counts.samplesPerMultiplicity, labelSets: counts.sets.length,
    },
    mapping: { lambdas: map.lambdas, reason: map.lambdas ? null : (map as { reason: string }).reason },
    network: net, mapped, fitted, fittedReason,
  };
  return { ...base, rows: comparisonRows(base), verdict: writeVerdict(base) };
}

/**
 * λ at which the fitted scale's search starts when the run gives no usable λ_W (no mapping, or no weight decay).
 * Only the imbalanced, learned-classifier route uses it (the closed forms fit κ directly). That search scales λ_W and
 * λ_H by one common factor and keeps λ_b, so what this value sets is the ratio λ_W : λ_H (1 : 1) and λ_b: 5e-4 is the
 * weight decay of the paper's training recipe (Li et al. 2024, as in the public code), a typical λ_b of a trained run.
 */
export const FIT_START_LAMBDA = 5e-4;

/** Where the fitted scale's search starts: the mapped λ when there is one, else the run's weight decay or FIT_START_LAMBDA. */
function fitStartLambdas(mapped: UfmLambdas | null, weightDecay: number): { lambdaW: number; lambdaH: number; lambdaB: number } {
  if (mapped && mapped.lambdaW !== null) return { lambdaW: mapped.lambdaW, lambdaH: mapped.lambdaH, lambdaB: mapped.lambdaB };
  const lambda = weightDecay > 0 ? weightDecay : FIT_START_LAMBDA;
  return { lambdaW: lambda, lambdaH: lambda, lambdaB: lambda };
}

const SUB: Record<string, string> = { 0: '₀', 1: '₁', 2: '₂', 3: '₃', 4: '₄', 5: '₅', 6: '₆', 7: '₇', 8: '₈', 9: '₉' };
const sub = (m: string) => [...m].map((c) => SUB[c] ?? c).join('');

type ReportCore = Omit<ComparisonReport, 'rows' | 'verdict'>;

/** The side-by-side table: one row per quantity, UFM (mapped λ and fitted scale) vs the network. */
export function comparisonRows(r: ReportCore): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const { mapped, fitted, network: net } = r;
  const ms = Object.keys(net.rho).sort((a, b) => Number(a) - Number(b));
  for (const m of ms) {
    const nr = net.rho[m];
    const note = `mean ± ${nr.std.toPrecision(2)} over ${nr.count} sets; direction error ${nr.directionErrorDeg.toFixed(1)}°`;
    rows.push({ label: `ρ${sub(m)} tag-wise scale (UFM, mapped λ)`, ufm: mapped && !mapped.trivial ? mapped.rho[m] ?? null : null, network: nr.mean, note: mapped ? (mapped.trivial ? 'UFM optimum is W = H = 0' : note) : 'no λ mapping' });
    rows.push({ label: `ρ${sub(m)} tag-wise scale (UFM, fitted scale)`, ufm: fitted ? fitted.rho[m] ?? null : null, network: nr.mean, note: fitted ? note : 'no fit' });
  }
  const z = (p: UfmPrediction | null, k: 'nc1' | 'nc2W' | 'nc2H' | 'nc3') => (p ? p[k] : 0);
  const exact = mapped === null || mapped.route !== 'lbfgs';
  rows.push({ label: 'NC1 collapse (within-class variability)', ufm: z(mapped, 'nc1'), network: net.nc1, note: exact ? 'UFM: exact collapse' : 'UFM: measured at the L-BFGS optimum' });
  rows.push({ label: 'NC2_W ETF distance of W', ufm: z(mapped, 'nc2W'), network: net.nc2W, note: r.fixedEtf ? 'classifier frozen to the ETF' : 'etf(A) ∈ [0, 2]' });
  rows.push({ label: 'NC2_H ETF distance of class means', ufm: z(mapped, 'nc2H'), network: net.nc2H, note: 'centred class means' });
  rows.push({ label: 'NC3 self-duality', ufm: z(mapped, 'nc3'), network: net.nc3, note: '‖WMᵀ/‖WMᵀ‖ − E_K‖' });
  for (const m of Object.keys(net.logitGap).sort((a, b) => Number(a) - Number(b))) {
    rows.push({ label: `logit gap m = ${m} (UFM, mapped λ)`, ufm: mapped && !mapped.trivial ? mapped.logitGap[m] ?? null : null, network: net.logitGap[m], note: 'mean in-set − out-of-set logit; UFM γ_m·α' });
    rows.push({ label: `logit gap m = ${m} (UFM, fitted scale)`, ufm: fitted ? fitted.logitGap[m] ?? null : null, network: net.logitGap[m], note: m === '1' ? 'fitted to match' : 'predicted from the m = 1 fit' });
  }
  rows.push({ label: 'classifier row norm ‖w_k‖ (mapped λ)', ufm: mapped ? mapped.rowNorm : null, network: net.rowNorm, note: r.fixedEtf ? 'frozen' : 'mean over k' });
  const dec = net.decoding;
  rows.push({ label: 'nearest-prototype decoding (class means)', ufm: 1, network: dec ? dec.classMeans : null, note: dec ? `test set, ${dec.n} samples; UFM 100% at the optimum` : 'no test metrics in the run' });
  if (dec && dec.classifier !== null) rows.push({ label: 'nearest-prototype decoding (classifier rows)', ufm: 1, network: dec.classifier, note: 'test set; UFM 100% at the optimum' });
  rows.push({ label: 'loss', ufm: r.loss, network: r.loss });
  return rows;
}

/** The figure input of comparisonTableFigure. */
export function comparisonTableInput(r: ComparisonReport, title: string): ComparisonTableInput {
  return { title, rows: r.rows, verdict: r.verdict };
}
