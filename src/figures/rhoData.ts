/**
 * Figure 3's inputs: ρ_m against a swept parameter.
 * (a) From `mlnc ufm sweep` data: the theory curve and the UFM optimizer's ρ̂ (that sweep's own design).
 * (b) For trained networks: the theory curve for the networks' own K, label-set counts and loss over λ_H^UFM with
 *     λ_W fixed at the runs' weight decay, full-UFM L-BFGS points on the same design, and each learned-classifier
 *     run's measured ρ̂ (± spread over label sets) placed at its mapped λ_H^UFM (see src/compare/lambdaMapping.ts).
 */
import { countLabelSets, predictAtLambdas, type ComparisonReport } from '../compare/index.js';
import type { LabelSet } from '../geometry/types.js';
import type { RhoInput, RhoPoints, RhoTheoryCurve } from '../plot/index.js';
import { sweepConfigAt, type SweepResult } from '../ufm/sweep.js';
import { solveUfmTheory } from '../ufm/theory.js';

export function rhoInputFromSweep(sweep: SweepResult): RhoInput {
  if (sweep.theory.length === 0) throw new Error('the sweep has no theory points');
  const ms = [...new Set(sweep.theory.flatMap((p) => Object.keys(p.rho)))].map(Number).filter((m) => m >= 2).sort((a, b) => a - b);
  const theory: RhoTheoryCurve[] = ms.map((m) => ({ m, x: sweep.theory.map((p) => p.x), rho: sweep.theory.map((p) => p.rho[String(m)] ?? null) }));
  // Where the theory's optimum is W = H = 0 the optimizer ends near zero and its ρ̂ measures rounding noise: left out.
  const nontrivial = sweep.ufm.filter((p) => {
    const c = sweepConfigAt(sweep.spec, sweep.base, p.x);
    return !solveUfmTheory({ K: c.K, perSetCount: c.perSet, loss: c.loss, lambdaW: c.lambdaW, lambdaH: c.lambdaH }).trivial;
  });
  const dropped = sweep.ufm.length - nontrivial.length;
  const ufm: RhoPoints[] = ms.map((m) => {
    const pts = nontrivial.filter((p) => typeof p.rho[String(m)] === 'number');
    return { m, x: pts.map((p) => p.x), rho: pts.map((p) => p.rho[String(m)]), std: pts.map((p) => p.rhoStd[String(m)] ?? null) };
  }).filter((p) => p.x.length > 0);
  const b = sweep.base;
  const per = Object.entries(b.perSet).map(([m, n]) => `n${m} = ${n}`).join(', ');
  return {
    title: `Tag-wise scale ρ_m: theory vs UFM optimum (K = ${b.K}, ${per})`,
    xLabel: `${sweep.xLabel}; ${b.loss}, d = ${b.d}`,
    xScale: sweep.param === 'lambda-h' ? 'log' : 'linear',
    theory,
    ufm,
    labels: { theory: 'theory (reduced problem)', ufm: `UFM optimum (L-BFGS)${dropped ? `; ${dropped} point${dropped > 1 ? 's' : ''} where W = H = 0 wins left out` : ''}` },
  };
}

export interface NetworkRho {
  readonly label: string;
  readonly report: ComparisonReport;
  readonly labels: readonly LabelSet[];
  readonly fixedEtf: boolean;
}

/** (b); null when no learned-classifier run has a λ mapping (then there is nothing to place). */
export function rhoInputForNetworks(runs: readonly NetworkRho[], ufmPoints = 5): RhoInput | null {
  const placed = runs.filter((r) => !r.fixedEtf && r.report.mapping.lambdas && r.report.mapping.lambdas.lambdaW !== null);
  if (placed.length === 0) return null;
  const first = placed[0];
  const { K, loss } = first.report;
  const counts = countLabelSets(first.labels, K);
  const lambdaW = first.report.mapping.lambdas?.lambdaW as number;
  const same = placed.filter((r) => r.report.K === K && r.report.loss === loss && r.report.N === counts.N && r.report.mapping.lambdas?.lambdaW === lambdaW);
  const xs = same.map((r) => r.report.mapping.lambdas?.lambdaH as number);
  const lo = Math.min(...xs) / 30;
  const hi = Math.max(...xs) * 30;
  const grid = Array.from({ length: 60 }, (_, i) => lo * (hi / lo) ** (i / 59));
  const ms = Object.keys(counts.samplesPerMultiplicity).map(Number).filter((m) => m >= 2 && m < K);
  const ctx = { K, loss, counts, fixedAlpha: null };
  const theoryAt = (lH: number) => counts.perSetCount !== null
    ? (() => { const t = solveUfmTheory({ K, perSetCount: counts.perSetCount as Record<number, number>, loss, lambdaW, lambdaH: lH }); return t.trivial ? null : t.rho; })()
    : (() => { const p = predictAtLambdas(ctx, lambdaW, lH, lambdaW); return p.trivial ? null : p.rho; })();
  const curve = grid.map(theoryAt);
  const theory: RhoTheoryCurve[] = ms.map((m) => ({ m, x: grid, rho: curve.map((r) => (r ? (r as Record<string, number>)[String(m)] ?? null : null)) }));
  // Full-UFM L-BFGS points (explicit design with the runs' counts, gcd-reduced) as an independent check of the curve.
  const ux = Array.from({ length: ufmPoints }, (_, i) => lo * (hi / lo) ** ((i + 0.5) / ufmPoints));
  const uPred = ux.map((lH) => predictAtLambdas({ ...ctx, counts: { ...counts, perSetCount: null } }, lambdaW, lH, lambdaW));
  const ufm: RhoPoints[] = ms.map((m) => {
    const keep = uPred.map((p, i) => [p, ux[i]] as const).filter(([p]) => !p.trivial && p.rho[String(m)] !== undefined);
    return { m, x: keep.map(([, x]) => x), rho: keep.map(([p]) => p.rho[String(m)]) };
  }).filter((p) => p.x.length > 0);
  const network: RhoPoints[] = ms.map((m) => {
    const keep = same.filter((r) => r.report.network.rho[String(m)] !== undefined);
    return {
      m,
      x: keep.map((r) => r.report.mapping.lambdas?.lambdaH as number),
      rho: keep.map((r) => r.report.network.rho[String(m)].mean),
      std: keep.map((r) => r.report.network.rho[String(m)].std),
    };
  }).filter((p) => p.x.length > 0);
  const per = counts.perSetCount ? Object.entries(counts.perSetCount).map(([m, n]) => `n${m} = ${n}`).join(', ') : 'imbalanced counts';
  return {
    title: `ρ_m of trained networks at their mapped λ_H (K = ${K}, ${per})`,
    xLabel: `UFM λ_H (network: 2·λ_H·B/N); λ_W = weight decay = ${lambdaW}, ${loss}`,
    xScale: 'log',
    theory,
    ufm,
    network,
    labels: { theory: 'UFM theory, same counts', ufm: 'UFM optimum (L-BFGS)', network: `trained network${same.length > 1 ? 's' : ''} (±std over label sets)` },
  };
}
