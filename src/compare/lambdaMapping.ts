/**
 * How a training run's regularisation maps onto the UFM's λ (Li et al. 2024 multi-label UFM:
 * f = (1/N)Σ c_m·PAL + (λ_W/2)‖W‖² + (λ_H/2)‖H‖² + (λ_b/2)‖b‖²).
 *
 * Derivation. One SGD step minimises the per-batch objective (batch size B)
 *   L_batch = (1/B)Σ_{i∈batch} c_m·PAL_i + P_batch + (wd/2)‖θ‖²,
 * where SGD weight decay (wd·θ added to the gradient, PyTorch style) is the gradient of (wd/2)‖θ‖², and the feature
 * penalty P_batch is, by the recorded convention, either
 *   "summed":   P_batch = λ_H·Σ_{i∈batch}‖h_i‖²        or   "averaged": P_batch = λ_H·(1/B)Σ_{i∈batch}‖h_i‖²,
 * possibly with an extra ½. An epoch visits every sample once in N/B batches, so the average per-batch objective is
 *   (B/N)·Σ_batches L_batch = (1/N)Σ_i c_m·PAL_i + [λ_H·B/N (summed) | λ_H/N (averaged)]·Σ_i‖h_i‖² + (wd/2)‖θ‖².
 * Matching term by term with the UFM:
 *   λ_H^UFM = 2·λ_H·B/N (summed) or 2·λ_H/N (averaged), halved again when the penalty carries its own ½;
 *   λ_W^UFM = wd (the classifier's weight decay), λ_b^UFM = wd (biases are decayed too).
 * (A smaller last batch when B ∤ N changes this by O(B/N); ignored.) What does NOT map: the network's features are
 * not free variables — the backbone's own weight decay and architecture constrain them — so the mapped λ is a lower
 * bound on the effective feature regularisation, and the comparison also fits the one free scale (see fittedScale.ts).
 */

export interface PenaltyConvention {
  readonly reduction: 'sum' | 'mean';
  /** True when the penalty is (λ_H/2)·… rather than λ_H·…. */
  readonly half: boolean;
}

/** Reads the convention text a run recorded (config.json `lambdaHConvention`); null when it cannot be read. */
export function parsePenaltyConvention(text: string | undefined): PenaltyConvention | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  // Negated phrases first ("summed, not averaged, no 1/2"), then what is left names the convention.
  const t = text.toLowerCase().replace(/not averaged|not divided by the batch size/g, '').replace(/no 1\/2|without (a )?(1\/2|½)|no ½/g, '');
  const summed = /\bsum(med)?\b|sum_i/.test(t);
  const averaged = /\baverage[ds]?\b|\bmean\b/.test(t);
  if (summed === averaged) return null;
  const half = /1\/2|½|0\.5 ?\*/.test(t);
  return { reduction: summed ? 'sum' : 'mean', half };
}

export interface RunRegularisation {
  readonly lambdaH: number;
  readonly weightDecay: number;
  readonly batchSize: number;
  /** Training samples N. */
  readonly trainSamples: number;
  /** The recorded feature-penalty convention text. */
  readonly convention: string | undefined;
  /** A frozen (fixed ETF) classifier gets no weight decay and has no λ_W. */
  readonly fixedClassifier: boolean;
}

export interface UfmLambdas {
  /** null when the classifier is frozen (the UFM then keeps W fixed too). */
  readonly lambdaW: number | null;
  readonly lambdaH: number;
  readonly lambdaB: number;
  readonly convention: PenaltyConvention;
  /** One line that states the mapping with the run's numbers. */
  readonly explanation: string;
}

/** The UFM's λ from the run's regularisation, or a reason why no mapping holds. */
export function mapToUfmLambdas(r: RunRegularisation): { lambdas: UfmLambdas } | { lambdas: null; reason: string } {
  const conv = parsePenaltyConvention(r.convention);
  if (!conv) return { lambdas: null, reason: `the run's feature-penalty convention is not recorded or not understood (${JSON.stringify(r.convention ?? null)})` };
  for (const [name, v] of [['batch size', r.batchSize], ['training samples', r.trainSamples]] as const) {
    if (!Number.isInteger(v) || v < 1) return { lambdas: null, reason: `${name} ${v} is not a positive integer` };
  }
  if (!(r.lambdaH > 0)) return { lambdas: null, reason: `the run has no feature penalty (λ_H = ${r.lambdaH}), so the UFM's λ_H has no counterpart` };
  if (!r.fixedClassifier && !(r.weightDecay > 0)) return { lambdas: null, reason: `the run has no weight decay (${r.weightDecay}), so the UFM's λ_W has no counterpart` };
  const { batchSize: B, trainSamples: N } = r;
  const factor = (conv.reduction === 'sum' ? (2 * B) / N : 2 / N) / (conv.half ? 2 : 1);
  const lambdaH = r.lambdaH * factor;
  const lambdaW = r.fixedClassifier ? null : r.weightDecay;
  const hText = conv.reduction === 'sum'
    ? `λ_H^UFM = ${conv.half ? '' : '2·'}λ_H·B/N = ${conv.half ? '' : '2·'}${r.lambdaH}·${B}/${N} = ${lambdaH.toPrecision(4)}`
    : `λ_H^UFM = ${conv.half ? '' : '2·'}λ_H/N = ${conv.half ? '' : '2·'}${r.lambdaH}/${N} = ${lambdaH.toPrecision(4)}`;
  const wText = lambdaW === null ? 'W frozen to the ETF (no λ_W)' : `λ_W^UFM = λ_b^UFM = weight decay = ${lambdaW}`;
  return {
    lambdas: {
      lambdaW, lambdaH, lambdaB: r.weightDecay, convention: conv,
      explanation: `feature penalty ${conv.reduction === 'sum' ? 'summed' : 'averaged'} over the batch${conv.half ? ' with ½' : ''}: ${hText}; ${wText}`,
    },
  };
}
