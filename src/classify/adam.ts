/**
 * Adam over one flat vector of every trainable weight, computed as `tf.train.adam` computes it
 * (beta1 0.9, beta2 0.999, epsilon 1e-7, bias-corrected moments). One pass in JavaScript instead of
 * about a dozen kernel calls per variable: on a small network the optimizer's kernel calls cost as
 * much as a sixth of a training step. Its state converts to and from `tf.train.adam`'s weights, so
 * checkpoints keep their format.
 */
export class FlatAdam {
  /** First and second moments, one entry per weight. */
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Steps taken. */
  iterations = 0;

  constructor(
    readonly size: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /**
   * One step: updates the weights `w` in place from the gradient `g` at learning rate `lr`.
   *
   * @example
   * const adam = new FlatAdam(w.length);
   * adam.step(w, grads, 1e-3);
   */
  step(w: Float32Array, g: Float32Array, lr: number): void {
    if (w.length !== this.size || g.length !== this.size) throw new Error(`FlatAdam: ${this.size} weights, got ${w.length} weights and ${g.length} gradients`);
    this.iterations++;
    const { beta1: b1, beta2: b2, epsilon: eps, m, v } = this;
    const c1 = 1 - Math.pow(b1, this.iterations);
    const c2 = 1 - Math.pow(b2, this.iterations);
    const a1 = 1 - b1;
    const a2 = 1 - b2;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + a1 * gi;
      const vi = b2 * v[i] + a2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }

  /** The state as `tf.train.adam(...).getWeights()` lists it: iterations, first moments, second moments (per variable of `sizes`). */
  toTfWeights(sizes: number[]): Float32Array[] {
    const split = (a: Float32Array) => {
      let off = 0;
      return sizes.map((n) => a.slice(off, (off += n)));
    };
    return [Float32Array.of(this.iterations), ...split(this.m), ...split(this.v)];
  }

  /** Restores a state saved by {@link FlatAdam.toTfWeights} (or by `tf.train.adam`). */
  static fromTfWeights(weights: Float32Array[], sizes: number[]): FlatAdam {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (weights.length !== 1 + 2 * sizes.length) throw new Error(`optimizer state has ${weights.length} arrays, expected ${1 + 2 * sizes.length}`);
    const adam = new FlatAdam(total);
    adam.iterations = Math.round(weights[0][0]);
    let off = 0;
    sizes.forEach((n, i) => {
      const mi = weights[1 + i];
      const vi = weights[1 + sizes.length + i];
      if (mi.length !== n || vi.length !== n) throw new Error(`optimizer state for variable ${i} has ${mi.length}/${vi.length} values, expected ${n}`);
      adam.m.set(mi, off);
      adam.v.set(vi, off);
      off += n;
    });
    return adam;
  }
}
