/** Types shared by the UFM optimisers (L-BFGS and gradient descent). */

/**
 * Why an optimiser stopped: max|∇f| ≤ tol ('tolerance'), the iteration budget ran out ('max-iter'), or (L-BFGS only)
 * no step along a descent direction lowered f any more although the gradient is above tol ('no-progress': the
 * tolerance is below what float64 rounding of f allows, or the objective is not smooth there).
 */
export type StopReason = 'tolerance' | 'max-iter' | 'no-progress';

export interface OptimizeResult {
  /** The final point (a fresh array; the start is never modified). */
  readonly x: Float64Array;
  /** f at x. */
  readonly objective: number;
  /** max_j |∂f/∂x_j| at x. */
  readonly maxAbsGrad: number;
  /** Accepted steps taken. */
  readonly iterations: number;
  /** Objective+gradient evaluations, line searches included. */
  readonly evaluations: number;
  readonly stopReason: StopReason;
}

/** What an optimiser reports to an observer; `x` and `grad` are live buffers: copy them to keep them. */
export interface IterationInfo {
  readonly iteration: number;
  readonly objective: number;
  readonly maxAbsGrad: number;
  readonly x: Float64Array;
  readonly grad: Float64Array;
}
