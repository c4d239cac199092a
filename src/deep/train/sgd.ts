import * as tf from '@tensorflow/tfjs';

/**
 * SGD with momentum and weight decay, PyTorch's update (torch.optim.SGD, dampening 0, no Nesterov):
 *   d = g + λ_W·w,   v ← μ·v + d,   w ← w − lr·v.
 * Written out on tf.Variables so its whole state (one velocity per variable) can be checkpointed and restored exactly.
 * Weight decay applies to every trainable parameter, biases and BatchNorm γ/β included, as the public code.
 */
export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

export interface NamedVariable {
  /** A stable name (the layer variable's original name, e.g. "s1b1_conv1/kernel"). */
  name: string;
  variable: tf.Variable;
}

export class MomentumSgd {
  private readonly velocity: tf.Variable[];

  constructor(readonly params: readonly NamedVariable[], readonly opts: SgdOptions) {
    const names = new Set<string>();
    for (const p of params) {
      if (names.has(p.name)) throw new Error(`MomentumSgd: duplicate parameter name ${p.name}`);
      names.add(p.name);
    }
    this.velocity = params.map((p) => tf.variable(tf.zerosLike(p.variable), false));
  }

  /** Applies one update; `grads` maps each parameter name to its gradient. */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    const { momentum, weightDecay } = this.opts;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[p.name];
        if (!g) throw new Error(`MomentumSgd: no gradient for ${p.name}`);
        const d = weightDecay !== 0 ? tf.add(g, tf.mul(weightDecay, p.variable)) : g;
        const v = tf.add(tf.mul(momentum, this.velocity[i]), d);
        this.velocity[i].assign(v);
        p.variable.assign(tf.sub(p.variable, tf.mul(lr, v)));
      });
    });
  }

  /** Copies of the velocities, keyed by parameter name. */
  async stateArrays(): Promise<{ name: string; shape: number[]; data: Float32Array }[]> {
    return Promise.all(
      this.params.map(async (p, i) => ({
        name: p.name,
        shape: [...this.velocity[i].shape],
        data: (await this.velocity[i].data()) as Float32Array,
      })),
    );
  }

  /** Restores velocities; throws when names or shapes do not match this optimiser's parameters. */
  loadStateArrays(state: readonly { name: string; shape: readonly number[]; data: Float32Array }[]): void {
    if (state.length !== this.params.length) {
      throw new Error(`optimizer state has ${state.length} velocities, the model has ${this.params.length} trainable variables`);
    }
    const byName = new Map(state.map((s) => [s.name, s]));
    this.params.forEach((p, i) => {
      const s = byName.get(p.name);
      if (!s) throw new Error(`optimizer state lacks the velocity of ${p.name}`);
      if (s.shape.join('x') !== p.variable.shape.join('x')) {
        throw new Error(`optimizer state for ${p.name} has shape [${s.shape.join(', ')}], the model [${p.variable.shape.join(', ')}]`);
      }
      const t = tf.tensor(s.data, [...s.shape]);
      this.velocity[i].assign(t);
      t.dispose();
    });
  }

  dispose(): void {
    for (const v of this.velocity) v.dispose();
  }
}
