import * as tf from '@tensorflow/tfjs';
import type { PalLoss } from '../ufm/pal.js';

/**
 * Pick-all-label cross-entropy in tfjs (Li et al. 2024): for logits z and a multi-hot target y (y_k = 1 for k ∈ S),
 *   PAL(z, S) = m·logsumexp(z) − Σ_{k∈S} z_k,  m = |S| = Σ_k y_k,
 * weighted by c_m = 1 (`pal`) or 1/m (`pal-n`, the public code's soft targets 1_S/m). logsumexp is max-shifted by tfjs.
 * src/ufm/pal.ts is the float64 counterpart (and holds the list of loss names).
 */

/** Per-sample c_m·PAL, shape [N]. */
export function palLossPerSample(logits: tf.Tensor2D, targets: tf.Tensor2D, loss: PalLoss): tf.Tensor1D {
  return tf.tidy(() => {
    const m = tf.sum(targets, 1);
    const picked = tf.sum(tf.mul(logits, targets), 1);
    const pal = tf.sub(tf.mul(m, tf.logSumExp(logits, 1)), picked);
    return (loss === 'pal-n' ? tf.div(pal, m) : pal) as tf.Tensor1D;
  });
}

/** Mean over the batch of c_m·PAL. */
export function palLoss(logits: tf.Tensor2D, targets: tf.Tensor2D, loss: PalLoss): tf.Scalar {
  return tf.tidy(() => tf.mean(palLossPerSample(logits, targets, loss)) as tf.Scalar);
}

/**
 * The feature penalty of the public code: λ_H·Σ_i ‖h_i‖², summed over the batch (NOT divided by the batch size and
 * without a ½). Recorded in every run config as `featurePenalty`.
 */
export function featurePenalty(features: tf.Tensor2D, lambdaH: number): tf.Scalar {
  return tf.tidy(() => tf.mul(lambdaH, tf.sum(tf.square(features))) as tf.Scalar);
}

export const FEATURE_PENALTY_CONVENTION = 'lambdaH * sum_i ||h_i||^2 over the batch (summed, not averaged, no 1/2), as the public code';
