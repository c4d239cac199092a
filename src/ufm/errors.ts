/** Thrown when an objective value is NaN or ±Infinity where the optimiser cannot recover (divergence, bad input). */
export class NonFiniteObjectiveError extends Error {
  /** The offending value and the iteration at which it appeared. */
  constructor(
    readonly value: number,
    readonly iteration: number,
    detail = '',
  ) {
    super(`objective is ${value} at iteration ${iteration}${detail ? `: ${detail}` : ''}`);
    this.name = 'NonFiniteObjectiveError';
  }
}
