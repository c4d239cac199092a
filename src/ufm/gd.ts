/**
 * Fixed-step gradient descent, plain or with Nesterov momentum, for studying the dynamics of the UFM
 * (not for certifying optima: use L-BFGS for that).
 *   plain:     x⁺ = x − η∇f(x)
 *   Nesterov:  y = x + μ(x − x⁻),  x⁺ = y − η∇f(y)   (Nesterov 1983; Sutskever et al. 2013 form)
 * The stopping test and the reported gradient use the point where the gradient was evaluated (x, or y for Nesterov).
 */
import { NonFiniteObjectiveError } from './errors.js';
import { maxAbs, type ObjectiveFunction } from './objective.js';
import type { IterationInfo, OptimizeResult } from './optimizer.js';

export interface GradientDescentOptions {
  /** Step size η > 0. */
  step: number;
  /** Momentum μ in [0, 1) for Nesterov; 0 (default) is plain gradient descent. */
  momentum?: number;
  /** Stop when max|∇f| ≤ tol (default 1e-9). */
  tol?: number;
  /** Maximum steps (default 10 000). */
  maxIter?: number;
  /** Call `onIteration` every `every` steps (default 1) and at iteration 0. */
  every?: number;
  onIteration?: (info: IterationInfo) => void;
}

/**
 * Minimises f from x0 by fixed-step gradient descent (plain, or Nesterov with `momentum` > 0); see the file comment.
 * @example
 * // f(x) = ½‖x − (1, 2)‖², minimum at (1, 2)
 * const f = (x: Float64Array, g: Float64Array) => { g[0] = x[0] - 1; g[1] = x[1] - 2; return 0.5 * (g[0] ** 2 + g[1] ** 2); };
 * const r = minimizeGradientDescent(f, new Float64Array(2), { step: 0.5 });
 * r.x; // ≈ [1.0000000, 2.0000000]
 * r.stopReason; // → 'tolerance'
 */
export function minimizeGradientDescent(
  f: ObjectiveFunction,
  x0: Float64Array,
  options: GradientDescentOptions,
): OptimizeResult {
  const { step } = options;
  const mu = options.momentum ?? 0;
  const tol = options.tol ?? 1e-9;
  const maxIter = options.maxIter ?? 10_000;
  const every = options.every ?? 1;
  if (!(step > 0) || !Number.isFinite(step)) throw new Error(`gradient descent: step must be a positive number, got ${step}`);
  if (!(mu >= 0 && mu < 1)) throw new Error(`gradient descent: momentum must be in [0, 1), got ${mu}`);
  if (!(tol >= 0)) throw new Error(`gradient descent: tol must be ≥ 0, got ${tol}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new Error(`gradient descent: maxIter must be an integer ≥ 0, got ${maxIter}`);
  if (!Number.isInteger(every) || every < 1) throw new Error(`gradient descent: every must be a positive integer, got ${every}`);

  const n = x0.length;
  const x = Float64Array.from(x0);
  const prev = Float64Array.from(x0); // x⁻ for Nesterov
  const y = mu > 0 ? Float64Array.from(x0) : x; // evaluation point
  const g = new Float64Array(n);
  let iteration = 0;
  let evaluations = 0;
  let fy = 0;
  let gmax = 0;
  let stopReason: OptimizeResult['stopReason'] = 'max-iter';
  while (true) {
    if (mu > 0) {
      for (let j = 0; j < n; j++) y[j] = x[j] + mu * (x[j] - prev[j]);
    }
    fy = f(y, g);
    evaluations++;
    gmax = maxAbs(g);
    if (!Number.isFinite(fy) || !Number.isFinite(gmax)) {
      throw new NonFiniteObjectiveError(Number.isFinite(fy) ? gmax : fy, iteration, `gradient descent diverged (step ${step}); try a smaller step`);
    }
    if (options.onIteration && iteration % every === 0) {
      options.onIteration({ iteration, objective: fy, maxAbsGrad: gmax, x: y, grad: g });
    }
    if (gmax <= tol) {
      stopReason = 'tolerance';
      break;
    }
    if (iteration >= maxIter) break;
    if (mu > 0) {
      for (let j = 0; j < n; j++) {
        prev[j] = x[j];
        x[j] = y[j] - step * g[j];
      }
    } else {
      for (let j = 0; j < n; j++) x[j] -= step * g[j];
    }
    iteration++;
  }
  return { x: Float64Array.from(y), objective: fy, maxAbsGrad: gmax, iterations: iteration, evaluations, stopReason };
}
