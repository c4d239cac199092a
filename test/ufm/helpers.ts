/** Test helpers for the UFM module: tolerance checks, finite differences, a reference fixture. */
import fc from 'fast-check';
import type { ObjectiveFunction } from '../../src/ufm/objective.js';

/** |a − b| / max(|b|, floor): relative difference with a floor for values near 0. */
export function relDiff(a: number, b: number, floor = 1e-300): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

/** Central finite-difference gradient of f at x with step h (scaled by max(1, |x_j|)). */
export function finiteDifferenceGradient(f: ObjectiveFunction, x: Float64Array, h = 1e-6): Float64Array {
  const n = x.length;
  const g = new Float64Array(n);
  const scratch = new Float64Array(n);
  const xp = Float64Array.from(x);
  for (let j = 0; j < n; j++) {
    const step = h * Math.max(1, Math.abs(x[j]));
    xp[j] = x[j] + step;
    const fp = f(xp, scratch);
    xp[j] = x[j] - step;
    const fm = f(xp, scratch);
    xp[j] = x[j];
    g[j] = (fp - fm) / (2 * step);
  }
  return g;
}

/** A random balanced design: K in [kMin, kMax], n_1 ≥ 1 plus a random subset of the higher multiplicities. */
export function balancedDesignArb(kMin: number, kMax: number, maxCount = 3, maxMult = 3) {
  return fc
    .integer({ min: kMin, max: kMax })
    .chain((K) =>
      fc
        .tuple(
          fc.integer({ min: 1, max: maxCount }),
          fc.array(fc.tuple(fc.integer({ min: 2, max: Math.min(K, maxMult) }), fc.integer({ min: 1, max: maxCount })), {
            maxLength: 2,
          }),
        )
        .map(([n1, more]) => {
          const perSetCount: Record<number, number> = { 1: n1 };
          for (const [m, n] of more) perSetCount[m] = n;
          return { K, perSetCount };
        }),
    );
}

/**
 * Reference optima of the multi-label UFM (float64 full-UFM L-BFGS from several random starts, max|∇| ≈ 1e-9),
 * independent of this code. ρ_m = m·γ_m/γ_1; ‖w_k‖ is the common row norm of W.
 */
export const REFERENCE_OPTIMA = [
  { name: 'A', K: 4, d: 6, perSetCount: { 1: 3, 2: 2 }, lambda: 5e-3, lambdaB: 1e-2, loss: 'pal', objective: 0.8947813933, rowNorm: 2.8413212, rho: { 2: 1.7508648 } },
  { name: 'B', K: 5, d: 5, perSetCount: { 1: 3, 2: 1, 3: 2 }, lambda: 4e-3, lambdaB: 1e-2, loss: 'pal', objective: 2.0416763343, rowNorm: 3.2614532, rho: { 2: 1.7519735, 3: 2.4164393 } },
  { name: 'B (d = K−1)', K: 5, d: 4, perSetCount: { 1: 3, 2: 1, 3: 2 }, lambda: 4e-3, lambdaB: 1e-2, loss: 'pal', objective: 2.0416763343, rowNorm: 3.2614532, rho: { 2: 1.7519735, 3: 2.4164393 } },
  { name: 'C', K: 4, d: 4, perSetCount: { 1: 3, 2: 2 }, lambda: 5e-3, lambdaB: 1e-2, loss: 'pal-n', objective: 0.5337974017, rowNorm: 2.7126550, rho: { 2: 1.4910726 } },
] as const;
