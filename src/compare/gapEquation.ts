/**
 * The UFM's per-label-set stationarity condition in logit-gap form (Li et al. 2024, multi-label UFM, balanced design).
 * With W a simplex ETF (WWᵀ = α(I − 11ᵀ/K)) and h_S = γ_m·Σ_{k∈S} w_k, the logits of h_S take two values with gap
 * t = γ_m·α, and ∂f/∂h_S = 0 reads  γ·N·λ_H·(m·e^{t} + K − m) = K·c_m. Multiplying by α:
 *   t·(m·e^{t} + K − m) = c_m·κ,   κ = K·α/(N·λ_H),
 * so every gap t_m, and ρ_m = m·γ_m/γ_1 = m·t_m/t_1, depends on the one scale κ. This holds at the UFM optimum for any
 * λ_W (λ_W only sets α) and for a classifier frozen to an ETF of any norm.
 */
import { palWeight, type PalLoss } from '../ufm/pal.js';

/** The root t ≥ 0 of t·(m·e^t + K − m) = r (strictly increasing in t, so unique); 0 for m = K (no gap there). */
export function gapForScale(m: number, K: number, r: number): number {
  if (!Number.isInteger(K) || K < 2 || !Number.isInteger(m) || m < 1 || m > K) throw new Error(`gap equation: need 1 ≤ m ≤ K, got m = ${m}, K = ${K}`);
  if (!(Number.isFinite(r) && r >= 0)) throw new Error(`gap equation: the scale must be a finite number ≥ 0, got ${r}`);
  if (m === K || r === 0) return 0;
  // Bracket: (K − m)·t ≤ r, and for t ≥ 1, m·e^t ≤ m·t·e^t ≤ r gives t ≤ ln(r/m).
  let lo = 0;
  let hi = Math.min(r / (K - m), Math.max(1, Math.log(Math.max(r / m, 1))));
  let t = 0.5 * hi;
  for (let it = 0; it < 200; it++) {
    const e = Math.exp(t);
    const g = t * (m * e + K - m) - r;
    if (g > 0) hi = t; else if (g < 0) lo = t; else return t;
    const dg = m * e * (1 + t) + K - m;
    let next = t - g / dg;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - t) <= 1e-15 * t || hi - lo <= 1e-15 * hi) return next;
    t = next;
  }
  return t;
}

/** κ whose multiplicity-1 gap equals t1 (c_1 = 1 for both losses). */
export function scaleFromGap1(t1: number, K: number): number {
  if (!(Number.isFinite(t1) && t1 > 0)) throw new Error(`gap equation: the multiplicity-1 logit gap must be > 0 to fit the scale, got ${t1}`);
  return t1 * (Math.exp(t1) + K - 1);
}

export interface GapPrediction {
  /** Logit gap t_m per multiplicity ("1", "2", ...). */
  readonly logitGap: Record<string, number>;
  /** ρ_m = m·t_m/t_1 for 2 ≤ m < K. */
  readonly rho: Record<string, number>;
}

/** Gaps and ρ_m for the multiplicities given, at scale κ. */
export function predictFromScale(kappa: number, K: number, multiplicities: readonly number[], loss: PalLoss): GapPrediction {
  const logitGap: Record<string, number> = {};
  for (const m of [1, ...multiplicities.filter((x) => x !== 1)]) logitGap[String(m)] = gapForScale(m, K, palWeight(loss, m) * kappa);
  const t1 = logitGap['1'];
  const rho: Record<string, number> = {};
  for (const m of multiplicities) if (m >= 2 && m < K && t1 > 0) rho[String(m)] = (m * logitGap[String(m)]) / t1;
  return { logitGap, rho };
}
