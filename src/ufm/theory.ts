/**
 * The predicted global minimiser of the multi-label UFM for a balanced-within-multiplicity design
 * (Li et al. 2024, "Neural Collapse in Multi-label Learning with Pick-all-label Loss"; closed form restated here).
 *
 * At the optimum b = 0, W is a simplex ETF with WWᵀ = s²(I − 11ᵀ/K), and every sample with label set S of size m has
 * the feature h_S = u_m·Σ_{k∈S} e_k, where e_k are the rows of E = W/s (EEᵀ = I − 11ᵀ/K). Then
 * ‖W‖² = (K−1)s², ‖h_S‖² = u_m²·m(K−m)/K, and the logits take two values with gap u_m·s, so the objective reduces to
 *   F(s, u) = Σ_m a_m·log(m + (K−m)e^{−u_m s}) + (λ_W/2)(K−1)s² + Σ_m β_m u_m²,
 *   a_m = (N_m/N)·c_m·m,   β_m = (λ_H/2)·N_m·m(K−m)/K,   N_m = n_m·C(K, m).
 * For fixed s each u_m solves the strictly convex 1-D problem 2β_m u = a_m s (K−m)/(m e^{us} + K − m) (equivalently
 * γ·N·λ_H·(m e^{γα} + K − m) = K·c_m with γ = u/s, α = s²); then G(s) = min_u F is minimised over s ≥ 0.
 * For m = K the log term is the constant a_K·log K and h_S = 0 (Σ_k e_k = 0), so u_K = γ_K = ρ_K = 0.
 * s = 0 is always stationary with G(0) = Σ_m a_m log K; when that is the global minimum (strong regularisation)
 * the solver says so (`trivial: true`).
 */
import type { PalLoss } from './pal.js';
import { palWeight } from './pal.js';
import { binomial, type UfmDesign } from './design.js';

export interface TheoryInput {
  readonly K: number;
  /** n_m: samples per label set of multiplicity m (a balanced design); multiplicity 1 must be present. */
  readonly perSetCount: Readonly<Record<number, number>>;
  readonly loss: PalLoss;
  readonly lambdaW: number;
  readonly lambdaH: number;
}

export interface TheoryMultiplicity {
  readonly m: number;
  /** Samples per label set and in total (N_m = n_m·C(K, m)). */
  readonly perSet: number;
  readonly samples: number;
  /** u_m: h_S = u_m·Σ_{k∈S} e_k. */
  readonly u: number;
  /** γ_m = u_m/s: h_S = γ_m·Σ_{k∈S} w_k (0 when trivial or m = K). */
  readonly gamma: number;
  /** ρ_m = m·γ_m/γ_1: h_S = ρ_m·(1/m)Σ_{k∈S} h_{k}; null in the trivial case (no directions to compare). */
  readonly rho: number | null;
  /** Gap between in-set and out-of-set logits, u_m·s. */
  readonly logitGap: number;
  /** Feature norm ‖h_S‖ = u_m·sqrt(m(K−m)/K). */
  readonly featureNorm: number;
}

export interface TheoryOptimum {
  readonly K: number;
  readonly N: number;
  readonly loss: PalLoss;
  readonly lambdaW: number;
  readonly lambdaH: number;
  /** s = sqrt(α): WWᵀ = α(I − 11ᵀ/K). */
  readonly s: number;
  readonly alpha: number;
  /** Row norm ‖w_k‖ = s·sqrt((K−1)/K). */
  readonly rowNorm: number;
  /** Minimum of the reduced objective (= full UFM objective at the predicted point). */
  readonly objective: number;
  /** G(0) = Σ_m (N_m/N)c_m m log K, the value of the collapsed-to-zero point. */
  readonly trivialObjective: number;
  /** Best non-zero stationary point of G; equals `objective` unless trivial. */
  readonly nontrivialObjective: number;
  readonly nontrivialS: number;
  /** True when s = 0 (W = 0, H = 0) is the global minimum. */
  readonly trivial: boolean;
  /** One entry per multiplicity, ascending m. */
  readonly multiplicities: readonly TheoryMultiplicity[];
  /** ρ_m by multiplicity (omitted when trivial). */
  readonly rho: Readonly<Record<number, number>>;
}

interface Term {
  m: number;
  perSet: number;
  samples: number;
  a: number;
  beta: number;
}

/** q(v) = (K−m)/(m e^v + K − m) = −d/dv log(m + (K−m)e^{−v}). */
function q(m: number, K: number, v: number): number {
  return (K - m) / (m * Math.exp(v) + K - m);
}

/** The minimiser u ≥ 0 of a·log(m + (K−m)e^{−us}) + β u² (m < K): Newton, kept inside a shrinking bracket. */
function solveU(t: Term, K: number, s: number): number {
  if (s === 0) return 0;
  const { m, a, beta } = t;
  let lo = 0;
  let hi = (a * s * (K - m)) / (2 * beta * K); // ψ(hi) ≥ 0 since q ≤ (K−m)/K
  let u = hi / 2;
  for (let it = 0; it < 200; it++) {
    const qv = q(m, K, u * s);
    const psi = 2 * beta * u - a * s * qv;
    if (psi > 0) hi = u;
    else if (psi < 0) lo = u;
    else return u;
    const dpsi = 2 * beta + a * s * s * qv * (1 - qv);
    let next = u - psi / dpsi;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - u) <= 1e-17 * Math.abs(u) || hi - lo <= 4e-16 * hi) return next;
    u = next;
  }
  return u;
}

function terms(input: TheoryInput): { terms: Term[]; N: number; constant: number } {
  const { K, perSetCount, loss } = input;
  if (typeof perSetCount !== 'object' || perSetCount === null) throw new Error('theory: perSetCount must be an object {m: n_m}');
  const entries = Object.entries(perSetCount).map(([m, n]) => [Number(m), n] as [number, number]);
  if (!Number.isInteger(K) || K < 2) throw new Error(`theory: K must be an integer ≥ 2, got ${K}`);
  if (entries.length === 0) throw new Error('theory: no multiplicities given');
  for (const [m, n] of entries) {
    if (!Number.isInteger(m) || m < 1 || m > K) throw new Error(`theory: multiplicity ${m} is not in 1..${K}`);
    if (!Number.isInteger(n) || n < 1) throw new Error(`theory: count per label set of multiplicity ${m} must be a positive integer, got ${n}`);
  }
  if (!entries.some(([m]) => m === 1)) throw new Error('theory: multiplicity 1 must be present');
  for (const [name, v] of [['lambdaW', input.lambdaW], ['lambdaH', input.lambdaH]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`theory: ${name} must be a finite number > 0 (no minimiser otherwise), got ${v}`);
  }
  entries.sort((x, y) => x[0] - y[0]);
  const N = entries.reduce((acc, [m, n]) => acc + n * binomial(K, m), 0);
  let constant = 0; // the m = K term
  const out: Term[] = [];
  for (const [m, n] of entries) {
    const samples = n * binomial(K, m);
    const a = (samples / N) * palWeight(loss, m) * m;
    const beta = (input.lambdaH / 2) * samples * ((m * (K - m)) / K);
    if (m === K) constant += a * Math.log(K);
    out.push({ m, perSet: n, samples, a, beta });
  }
  return { terms: out, N, constant };
}

/**
 * The reduced objective F(s, u) (u indexed like the ascending multiplicities; u_K ignored).
 * @example
 * const input: TheoryInput = { K: 4, perSetCount: { 1: 3, 2: 2 }, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3 };
 * const t = solveUfmTheory(input);
 * reducedObjective(input, t.s, t.multiplicities.map((mm) => mm.u)); // ≈ 0.8947813933
 * // at s = 0 every logit is equal: F = Σ_m a_m·log K = 1.5·log 4
 * reducedObjective(input, 0, [0, 0]); // ≈ 2.0794415
 */
export function reducedObjective(input: TheoryInput, s: number, u: readonly number[]): number {
  const { terms: ts, constant } = terms(input);
  if (u.length !== ts.length) throw new Error(`theory: u has ${u.length} entries, expected ${ts.length}`);
  const K = input.K;
  let F = constant + (input.lambdaW / 2) * (K - 1) * s * s;
  ts.forEach((t, i) => {
    if (t.m < K) F += t.a * Math.log(t.m + (K - t.m) * Math.exp(-u[i] * s)) + t.beta * u[i] * u[i];
  });
  return F;
}

/**
 * Solves the reduced problem; see the file comment. Accepts a balanced design or its n_m directly.
 * @example
 * // reference case A
 * const t = solveUfmTheory({ K: 4, perSetCount: { 1: 3, 2: 2 }, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3 });
 * t.trivial; // → false
 * t.objective; // ≈ 0.8947813933
 * t.rho[2]; // ≈ 1.7508648
 */
export function solveUfmTheory(input: TheoryInput): TheoryOptimum {
  const { terms: ts, N, constant } = terms(input);
  const { K, lambdaW } = input;
  const wTerm = lambdaW * (K - 1);

  const G = (s: number): number => {
    let F = constant + 0.5 * wTerm * s * s;
    for (const t of ts) {
      if (t.m === K) continue;
      const u = solveU(t, K, s);
      F += t.a * Math.log(t.m + (K - t.m) * Math.exp(-u * s)) + t.beta * u * u;
    }
    return F;
  };
  // G'(s) = ∂F/∂s at u*(s) (envelope theorem) and G'' by implicit differentiation of ∂F/∂u = 0.
  const dG = (s: number): [number, number] => {
    let d1 = wTerm * s;
    let d2 = wTerm;
    for (const t of ts) {
      if (t.m === K) continue;
      const u = solveU(t, K, s);
      const qv = q(t.m, K, u * s);
      const l1 = -qv;
      const l2 = qv * (1 - qv);
      d1 += t.a * u * l1;
      const fsu = t.a * l1 + t.a * u * s * l2;
      d2 += t.a * u * u * l2 - (fsu * fsu) / (t.a * s * s * l2 + 2 * t.beta);
    }
    return [d1, d2];
  };

  const G0 = G(0);
  // G(s) ≥ G(0) + ... beyond sMax the weight penalty alone exceeds G(0) ≥ min G, so the minimiser lies in [0, sMax].
  const sMax = Math.sqrt((2 * G0) / wTerm);
  const gridN = 600;
  let best = 1;
  let bestG = Infinity;
  for (let i = 1; i <= gridN; i++) {
    const g = G((sMax * i) / gridN);
    if (g < bestG) {
      bestG = g;
      best = i;
    }
  }
  // Refine: root of G' in the grid cell pair around the best grid point (safeguarded Newton on G').
  let lo = (sMax * (best - 1)) / gridN;
  let hi = (sMax * Math.min(best + 1, gridN)) / gridN;
  let sStar = (sMax * best) / gridN;
  if (lo > 0 && dG(lo)[0] < 0 && dG(hi)[0] > 0) {
    let s = sStar;
    for (let it = 0; it < 200; it++) {
      const [d1, d2] = dG(s);
      if (d1 > 0) hi = s;
      else if (d1 < 0) lo = s;
      else break;
      let next = d2 > 0 ? s - d1 / d2 : Number.NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      const done = Math.abs(next - s) <= 1e-16 * s || hi - lo <= 4e-16 * hi;
      s = next;
      if (done) break;
    }
    sStar = s;
  } else {
    // Minimum next to s = 0 or no sign change of G' in the cell: golden section on G itself.
    sStar = goldenSection(G, lo, hi);
  }
  const Gs = G(sStar);
  // Near s = 0, G(s) = G0 + ½G''(0)s² + O(s⁴) with u_m*(s) ≈ a(K−m)s/(2Kβ) (expand the log to first order), so
  // G''(0) = λ_W(K−1) − Σ_{m<K} a²(K−m)²/(2K²β). When G''(0) ≥ 0 the origin is a local minimum, and a golden-section
  // search next to it can land on an s ~ 1e-8 whose G undercuts G0 by rounding alone: such a point is not a
  // non-trivial optimum. Demand a decrease beyond float64 rounding of G0 in that case.
  let curvature0 = wTerm;
  for (const t of ts) if (t.m < K) curvature0 -= (t.a * t.a * (K - t.m) ** 2) / (2 * K * K * t.beta);
  const roundoff = 64 * Number.EPSILON * Math.max(1, Math.abs(G0));
  const trivial = curvature0 >= 0 ? !(Gs < G0 - roundoff) : false;
  const s = trivial ? 0 : sStar;
  const us = ts.map((t) => (t.m === K || trivial ? 0 : solveU(t, K, s)));
  const gamma1 = trivial ? 0 : us[ts.findIndex((t) => t.m === 1)] / s;
  const multiplicities: TheoryMultiplicity[] = ts.map((t, i) => {
    const gamma = trivial ? 0 : us[i] / s;
    return {
      m: t.m,
      perSet: t.perSet,
      samples: t.samples,
      u: us[i],
      gamma,
      rho: trivial ? null : (t.m * gamma) / gamma1,
      logitGap: us[i] * s,
      featureNorm: us[i] * Math.sqrt((t.m * (K - t.m)) / K),
    };
  });
  const rho: Record<number, number> = {};
  if (!trivial) for (const mm of multiplicities) rho[mm.m] = mm.rho as number;
  return {
    K,
    N,
    loss: input.loss,
    lambdaW,
    lambdaH: input.lambdaH,
    s,
    alpha: s * s,
    rowNorm: s * Math.sqrt((K - 1) / K),
    objective: trivial ? G0 : Gs,
    trivialObjective: G0,
    nontrivialObjective: Gs,
    nontrivialS: sStar,
    trivial,
    multiplicities,
    rho,
  };
}

/**
 * The theory input of a balanced design (throws for an explicit/imbalanced one: the closed form does not apply).
 * @example
 * theoryInputOf(balancedDesign(4, { 1: 3, 2: 2 }), 'pal', 5e-3, 5e-3).perSetCount; // → { 1: 3, 2: 2 }
 */
export function theoryInputOf(
  design: UfmDesign,
  loss: PalLoss,
  lambdaW: number,
  lambdaH: number,
): TheoryInput {
  if (design.perSetCount === null) {
    throw new Error('theory: the closed-form optimum needs a balanced-within-multiplicity design, not an explicit one');
  }
  return { K: design.K, perSetCount: design.perSetCount, loss, lambdaW, lambdaH };
}

/** Golden-section minimisation of a unimodal function on [a, b] to float64 resolution. */
function goldenSection(f: (x: number) => number, a: number, b: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let x1 = b - r * (b - a);
  let x2 = a + r * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let it = 0; it < 200 && b - a > 1e-15 * Math.max(1, Math.abs(b)); it++) {
    if (f1 <= f2) {
      b = x2; x2 = x1; f2 = f1;
      x1 = b - r * (b - a); f1 = f(x1);
    } else {
      a = x1; x1 = x2; f1 = f2;
      x2 = a + r * (b - a); f2 = f(x2);
    }
  }
  return f1 <= f2 ? x1 : x2;
}
