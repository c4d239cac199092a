import { canonicalEtf } from '../../geometry/etf.js';

/**
 * The tfjs Dense kernel (d×K, input-major, i.e. Wᵀ) of the canonical ETF embedded into R^d for d ≥ K:
 * W = [E | 0] — the K×K ETF in the first K feature coordinates and zeros elsewhere. The rows still form a simplex ETF
 * (an isometric embedding keeps all inner products); the remaining d − K feature directions get zero weight.
 */
export function etfKernel(K: number, d: number): Float32Array {
  if (d < K) {
    throw new Error(`a fixed ETF classifier needs feature dimension d ≥ K (got d = ${d}, K = ${K}); use --fix-dim to make d = K`);
  }
  // The canonical ETF √(K/(K−1))(I − 11ᵀ/K) of the public code's fixed-classifier variant (Li et al. 2024).
  const E = canonicalEtf(K).data;
  const kernel = new Float32Array(d * K);
  for (let k = 0; k < K; k++) for (let j = 0; j < K; j++) kernel[j * K + k] = E[k * K + j];
  return kernel;
}
