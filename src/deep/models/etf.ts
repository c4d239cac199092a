/**
 * The canonical simplex equiangular tight frame used by the fixed-classifier variant of the public code
 * (Li et al. 2024, parameter-efficient training): W = √(K/(K−1))·(I − 11ᵀ/K), K×K, rows of unit norm with
 * pairwise cosine −1/(K−1).
 */
export function canonicalEtf(K: number): Float64Array {
  if (!Number.isInteger(K) || K < 2) throw new Error(`a simplex ETF needs an integer K ≥ 2, got ${K}`);
  const s = Math.sqrt(K / (K - 1));
  const W = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) W[i * K + j] = s * ((i === j ? 1 : 0) - 1 / K);
  return W;
}

/**
 * The tfjs Dense kernel (d×K, input-major, i.e. Wᵀ) of the canonical ETF embedded into R^d for d ≥ K:
 * W = [E | 0] — the K×K ETF in the first K feature coordinates and zeros elsewhere. The rows still form a simplex ETF
 * (an isometric embedding keeps all inner products); the remaining d − K feature directions get zero weight.
 */
export function etfKernel(K: number, d: number): Float32Array {
  if (d < K) {
    throw new Error(`a fixed ETF classifier needs feature dimension d ≥ K (got d = ${d}, K = ${K}); use --fix-dim to make d = K`);
  }
  const E = canonicalEtf(K);
  const kernel = new Float32Array(d * K);
  for (let k = 0; k < K; k++) for (let j = 0; j < K; j++) kernel[j * K + k] = E[k * K + j];
  return kernel;
}
