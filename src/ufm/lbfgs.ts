/**
 * Limited-memory BFGS in float64 (Nocedal & Wright, Numerical Optimization, 2nd ed.: two-loop recursion Alg. 7.4,
 * strong-Wolfe line search Alg. 3.5 with zoom Alg. 3.6 and safeguarded cubic interpolation).
 *
 * Certifying an optimum to max|∇f| ≤ 1e-9 asks for steps whose decrease of f is far below float64 rounding of f,
 * so besides the Armijo condition a step is also accepted under the "approximate Wolfe" condition of Hager & Zhang
 * (2005): φ(α) ≤ φ(0) + ε|φ(0)| and φ'(α) ≤ (2c₁ − 1)φ'(0), which tests the decrease through the exactly computed
 * directional derivative instead of through f.
 */
import { NonFiniteObjectiveError } from './errors.js';
import { maxAbs, type ObjectiveFunction } from './objective.js';
import type { IterationInfo, OptimizeResult } from './optimizer.js';

export interface LbfgsOptions {
  /** Stop when max|∇f| ≤ tol (default 1e-9). */
  tol?: number;
  /** Maximum accepted steps (default 10 000). */
  maxIter?: number;
  /** Number of (s, y) pairs kept (default 10). */
  history?: number;
  /** Armijo constant c₁ (default 1e-4) and curvature constant c₂ (default 0.9). */
  c1?: number;
  c2?: number;
  /** Called after every accepted step. */
  onIteration?: (info: IterationInfo) => void;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s0 = 0, s1 = 0;
  const n = a.length;
  let j = 0;
  for (; j + 1 < n; j += 2) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
  }
  if (j < n) s0 += a[j] * b[j];
  return s0 + s1;
}

// Vector kernels live in small module-level functions (not in the closures below) so that V8 optimises them once
// and for all; loops inside the big optimiser function over captured, reassigned buffers ran unoptimised.

/** out = x + a·p */
function setLinComb(out: Float64Array, x: Float64Array, a: number, p: Float64Array): void {
  for (let j = 0; j < out.length; j++) out[j] = x[j] + a * p[j];
}

/** y += a·x */
function axpy(y: Float64Array, a: number, x: Float64Array): void {
  for (let j = 0; j < y.length; j++) y[j] += a * x[j];
}

/** v *= a */
function scale(v: Float64Array, a: number): void {
  for (let j = 0; j < v.length; j++) v[j] *= a;
}

/** out = a − b */
function setDiff(out: Float64Array, a: Float64Array, b: Float64Array): void {
  for (let j = 0; j < out.length; j++) out[j] = a[j] - b[j];
}

/** Minimiser of the cubic through (a, fa, da), (b, fb, db), or NaN when it does not exist (N&W eq. 3.59). */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - (b - a) * ((db + d2 - d1) / (db - da + 2 * d2));
}

/**
 * Minimises f from x0 by L-BFGS until max|∇f| ≤ tol (see the file comment for the line search).
 * @example
 * // the Rosenbrock function, minimum at (1, 1)
 * const f = (x: Float64Array, g: Float64Array) => {
 *   g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2);
 *   g[1] = 200 * (x[1] - x[0] ** 2);
 *   return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
 * };
 * minimizeLbfgs(f, Float64Array.of(-1.2, 1)).x; // ≈ [1.0000000, 1.0000000]
 */
export function minimizeLbfgs(f: ObjectiveFunction, x0: Float64Array, options: LbfgsOptions = {}): OptimizeResult {
  const tol = options.tol ?? 1e-9;
  const maxIter = options.maxIter ?? 10_000;
  const m = options.history ?? 10;
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  if (!(tol >= 0)) throw new Error(`L-BFGS: tol must be ≥ 0, got ${tol}`);
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new Error(`L-BFGS: maxIter must be an integer ≥ 0, got ${maxIter}`);
  if (!Number.isInteger(m) || m < 1) throw new Error(`L-BFGS: history must be a positive integer, got ${m}`);
  if (!(c1 > 0 && c1 < c2 && c2 < 1)) throw new Error(`L-BFGS: need 0 < c1 < c2 < 1, got c1=${c1}, c2=${c2}`);

  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const p = new Float64Array(n);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alphaBuf = new Float64Array(m);
  let evaluations = 1;
  let fx = f(x, g);
  if (!Number.isFinite(fx)) throw new NonFiniteObjectiveError(fx, 0, 'at the starting point');
  let gmax = maxAbs(g);
  if (!Number.isFinite(gmax)) throw new NonFiniteObjectiveError(gmax, 0, 'gradient at the starting point');
  let iteration = 0;

  /** f at the last trial point (the accepted one once a line search returns). */
  let lastValue = fx;
  /** φ(α) = f(x + αp) into xt, gt; returns [φ, φ']. */
  const phi = (alpha: number): [number, number] => {
    setLinComb(xt, x, alpha, p);
    evaluations++;
    const v = f(xt, gt);
    lastValue = v;
    return [v, Number.isFinite(v) ? dot(gt, p) : Number.NaN];
  };

  /** Strong-Wolfe line search; returns the accepted α (xt, gt hold the point) or 0 on failure. */
  const lineSearch = (alpha0: number, dphi0: number): number => {
    const phi0 = fx;
    const epsF = 1e-10 * Math.abs(phi0) + 1e-300;
    const sufficient = (a: number, v: number, dv: number): boolean =>
      v <= phi0 + c1 * a * dphi0 || (v <= phi0 + epsF && dv <= (2 * c1 - 1) * dphi0);
    const curvature = (dv: number): boolean => Math.abs(dv) <= -c2 * dphi0;

    const zoom = (lo: number, flo: number, dlo: number, hi: number, fhi: number, dhi: number): number => {
      for (let it = 0; it < 60; it++) {
        const width = hi - lo;
        let a = Number.isFinite(fhi) && Number.isFinite(dhi) ? cubicMin(lo, flo, dlo, hi, fhi, dhi) : Number.NaN;
        const lower = Math.min(lo, hi) + 0.1 * Math.abs(width);
        const upper = Math.max(lo, hi) - 0.1 * Math.abs(width);
        if (!(a >= lower && a <= upper)) a = lo + 0.5 * width;
        if (a === lo || a === hi) break;
        const [v, dv] = phi(a);
        if (!Number.isFinite(v) || !sufficient(a, v, dv) || v > flo) {
          hi = a; fhi = Number.isFinite(v) ? v : Infinity; dhi = dv;
        } else {
          if (curvature(dv)) return a;
          if (dv * (hi - lo) >= 0) {
            hi = lo; fhi = flo; dhi = dlo;
          }
          lo = a; flo = v; dlo = dv;
        }
      }
      // Zoom could not meet the curvature condition: settle for the best sufficient-decrease point, if any.
      if (lo > 0) {
        const [v] = phi(lo);
        if (Number.isFinite(v) && v <= phi0) return lo;
      }
      return 0;
    };

    let prev = 0, fprev = phi0, dprev = dphi0;
    let a = alpha0;
    for (let it = 0; it < 40; it++) {
      const [v, dv] = phi(a);
      if (!Number.isFinite(v)) return zoom(prev, fprev, dprev, a, Infinity, Number.NaN);
      if (!sufficient(a, v, dv) || (it > 0 && v >= fprev)) return zoom(prev, fprev, dprev, a, v, dv);
      if (curvature(dv)) return a;
      if (dv >= 0) return zoom(a, v, dv, prev, fprev, dprev);
      prev = a; fprev = v; dprev = dv;
      a *= 4;
    }
    return 0;
  };

  // Steps accepted only through the rounding slack of the approximate Wolfe test can loop forever when the gradient
  // is inconsistent with f; after this many consecutive steps without a decrease of f, give up.
  const maxStall = 20;
  let stall = 0;
  let stopReason: OptimizeResult['stopReason'] = 'max-iter';
  while (true) {
    if (gmax <= tol) {
      stopReason = 'tolerance';
      break;
    }
    if (iteration >= maxIter) break;
    // Two-loop recursion: p = −H_k g with H_0 = (sᵀy / yᵀy)·I.
    p.set(g);
    for (let i = S.length - 1; i >= 0; i--) {
      const a = rho[i] * dot(S[i], p);
      alphaBuf[i] = a;
      axpy(p, -a, Y[i]);
    }
    let alpha0 = 1;
    if (S.length > 0) {
      const yl = Y[S.length - 1];
      const gamma = 1 / (rho[S.length - 1] * dot(yl, yl));
      scale(p, gamma);
    } else {
      alpha0 = Math.min(1, 1 / Math.sqrt(dot(g, g)));
    }
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i] * dot(Y[i], p);
      axpy(p, alphaBuf[i] - beta, S[i]);
    }
    scale(p, -1);
    let dphi0 = dot(g, p);
    if (!(dphi0 < 0)) {
      // Not a descent direction (lost curvature information): restart from steepest descent.
      S.length = 0; Y.length = 0; rho.length = 0;
      p.set(g);
      scale(p, -1);
      dphi0 = dot(g, p);
      alpha0 = Math.min(1, 1 / Math.sqrt(-dphi0));
    }
    let step = lineSearch(alpha0, dphi0);
    if (step === 0 && S.length > 0) {
      S.length = 0; Y.length = 0; rho.length = 0;
      p.set(g);
      scale(p, -1);
      dphi0 = dot(g, p);
      step = lineSearch(Math.min(1, 1 / Math.sqrt(-dphi0)), dphi0);
    }
    if (step === 0) {
      stopReason = 'no-progress';
      break;
    }
    // New pair s = x⁺ − x, y = g⁺ − g, kept only with positive curvature; recycle the oldest buffers.
    let s: Float64Array, y: Float64Array;
    if (S.length === m) {
      s = S.shift() as Float64Array;
      y = Y.shift() as Float64Array;
      rho.shift();
    } else {
      s = new Float64Array(n);
      y = new Float64Array(n);
    }
    setDiff(s, xt, x);
    setDiff(y, gt, g);
    const sy = dot(s, y);
    if (sy > 1e-14 * Math.sqrt(dot(s, s) * dot(y, y)) && sy > 0) {
      S.push(s); Y.push(y); rho.push(1 / sy);
    }
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    stall = lastValue < fx ? 0 : stall + 1;
    fx = lastValue;
    gmax = maxAbs(g);
    iteration++;
    if (!Number.isFinite(fx) || !Number.isFinite(gmax)) {
      throw new NonFiniteObjectiveError(Number.isFinite(fx) ? gmax : fx, iteration, 'after a line-search step');
    }
    options.onIteration?.({ iteration, objective: fx, maxAbsGrad: gmax, x, grad: g });
    if (stall >= maxStall && gmax > tol) {
      stopReason = 'no-progress';
      break;
    }
  }
  return { x, objective: fx, maxAbsGrad: gmax, iterations: iteration, evaluations, stopReason };
}
