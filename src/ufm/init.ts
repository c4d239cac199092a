/** Seeded random starting points for the UFM: small i.i.d. Gaussian W, H and b. */
import type { Rng } from '../util/rng.js';
import { ufmSize, type UfmProblem } from './objective.js';

/**
 * x = [W, H, b] with independent N(0, scale²) entries drawn from `rng` in that order (so a seed fixes the point).
 * The default scale 0.1 keeps logits small, away from both the trivial point 0 (a saddle for weak regularisation)
 * and saturated softmax.
 * @example
 * const problem = { K: 4, d: 6, labels: balancedDesign(4, { 1: 3, 2: 2 }).labels };
 * // K·d + N·d + K = 24 + 144 + 4 numbers
 * randomUfmPoint(problem, new Rng(1)).length; // → 172
 */
export function randomUfmPoint(problem: Pick<UfmProblem, 'K' | 'd' | 'labels'>, rng: Rng, scale = 0.1): Float64Array {
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`random init: scale must be a positive number, got ${scale}`);
  return rng.fillNormal(new Float64Array(ufmSize(problem, problem.labels.length)), scale);
}
