/**
 * A FusedBatchNorm gradient that broadcasts instead of tiling.
 *
 * Forward (tf.batchNorm): y = (x − μ) · γ · rstd + β with rstd = 1/√(σ² + ε), μ, σ², γ, β broadcast over x.
 * With Σ the sum over the broadcast axes and g = γ · rstd:
 *   ∂x = dy · g              ∂β = Σ dy            ∂γ = rstd · Σ dy (x − μ)
 *   ∂μ = −g · Σ dy           ∂σ² = −½ · g · rstd² · Σ dy (x − μ)
 * tfjs-layers' BatchNormalization in training calls tf.moments then tf.batchNorm (FusedBatchNorm kernel), so
 * ∂μ and ∂σ² flow on through the moments ops. The stock tfjs-core gradient builds ∂x with a full-size `tile` of
 * rstd and recomputes the sums separately for every input; this one reuses Σ dy and Σ dy (x − μ).
 * Gradients are per kernel name, not per backend, so this applies to every backend (it is the same math).
 */
import * as tf from '@tensorflow/tfjs';

export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const dyT = dy as tf.Tensor;
    const [x, mean, variance, scale] = saved as (tf.Tensor | undefined)[] as tf.Tensor[];
    const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor): tf.Tensor => (axes.length > 0 ? tf.sum(t, axes) : t);

    // Shared [C]-sized pieces are computed here, not inside the closures: tfjs runs each input's closure in its
    // own tidy, so a tensor memoised in one closure would be disposed before the next one uses it. Tensors made
    // here live until the backward pass ends (they are small); the full-size product is freed at once.
    const rstd = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
    const g = scale == null ? rstd : tf.mul(scale, rstd);
    const sumDy = reduce(dyT);
    const sumDyXc = tf.tidy(() => reduce(tf.mul(dyT, tf.sub(x, mean))));
    const getSumDy = (): tf.Tensor => sumDy;
    const getSumDyXc = (): tf.Tensor => sumDyXc;

    return {
      x: () => tf.mul(dyT, g),
      mean: () => tf.reshape(tf.neg(tf.mul(g, tf.reshape(getSumDy(), mean.shape))), mean.shape),
      variance: () =>
        tf.reshape(
          tf.mul(tf.mul(tf.mul(g, tf.square(rstd)), tf.scalar(-0.5)), tf.reshape(getSumDyXc(), mean.shape)),
          variance.shape,
        ),
      scale: () => tf.reshape(tf.mul(rstd, tf.reshape(getSumDyXc(), mean.shape)), scale == null ? mean.shape : scale.shape),
      offset: () => tf.reshape(getSumDy(), mean.shape),
    };
  },
};
