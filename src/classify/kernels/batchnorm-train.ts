/**
 * Batch normalization in training mode as one op with a closed-form gradient, and a
 * BatchNormalization layer that uses it. The library's path (moments -> batchNorm, differentiated
 * op by op) makes ~20 full-size passes per layer per step on wasm; this makes 7:
 *   forward  y = a*x + b with a = gamma/sqrt(var+eps), b = beta - mean*a   (square, affine)
 *   backward x^ = (x-mean)/sqrt(var+eps); dgamma = sum(dy*x^); dbeta = sum(dy);
 *            dx = a*dy - a*dbeta/P - x^ * a*dgamma/P                       (x^, mul, 2 affines, add)
 * Per-channel sums are matrix products with a row of ones (see fast-paths.ts); the per-channel
 * affine is a 1x1 depthwise convolution with bias (one XNNPACK pass).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** a*x + b per channel (last axis) in one pass. */
function affine(x: tf.Tensor, a: tf.Tensor1D, b: tf.Tensor1D | null): tf.Tensor {
  const c = x.shape[x.rank - 1];
  const x4 = (x.rank === 4 ? x : tf.reshape(x, [-1, 1, 1, c])) as tf.Tensor4D;
  const y = tf.fused.depthwiseConv2d({
    x: x4,
    filter: tf.reshape(a, [1, 1, c, 1]) as tf.Tensor4D,
    strides: 1,
    pad: 'valid',
    bias: b ?? undefined,
  });
  return x.rank === 4 ? y : tf.reshape(y, x.shape);
}

function channelAxes(x: tf.Tensor): number[] {
  return Array.from({ length: x.rank - 1 }, (_, i) => i);
}

/** Batch statistics of the last call of {@link batchNormTrain}, for the moving averages. */
export interface BatchStats {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Normalizes `x` over all axes but the last with batch statistics, scales by `gamma` and shifts by
 * `beta`; returns the output and the (biased) batch mean and variance.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; stats: BatchStats } {
  let stats: BatchStats | null = null;
  const op = tf.customGrad((...args: unknown[]) => {
    const [xx, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const axes = channelAxes(xx);
    const mean = tf.mean(xx, axes) as tf.Tensor1D;
    const meanSq = tf.mean(tf.square(xx), axes);
    const variance = tf.relu(tf.sub(meanSq, tf.square(mean))) as tf.Tensor1D;
    const inv = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
    const a = tf.mul(g, inv) as tf.Tensor1D;
    const y = affine(xx, a, tf.sub(b, tf.mul(mean, a)) as tf.Tensor1D);
    stats = { mean: tf.keep(mean), variance: tf.keep(variance) };
    save([xx, mean, inv, g]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const d = dy as tf.Tensor;
        const [sx, sMean, sInv, sG] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const p = sx.size / sx.shape[sx.rank - 1];
        const ax = channelAxes(sx);
        const xhat = affine(sx, sInv, tf.neg(tf.mul(sMean, sInv)) as tf.Tensor1D);
        const dBeta = tf.sum(d, ax) as tf.Tensor1D;
        const dGamma = tf.sum(tf.mul(d, xhat), ax) as tf.Tensor1D;
        const aa = tf.mul(sG, sInv) as tf.Tensor1D;
        const dx = tf.add(
          affine(d, aa, tf.neg(tf.div(tf.mul(aa, dBeta), p)) as tf.Tensor1D),
          affine(xhat, tf.neg(tf.div(tf.mul(aa, dGamma), p)) as tf.Tensor1D, null),
        );
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor;
  return { y, stats: stats! };
}

type LayerArgs = Parameters<typeof tfl.layers.batchNormalization>[0];
const BaseBatchNorm = tfl.layers.batchNormalization({}).constructor as unknown as {
  new (args?: LayerArgs): tfl.layers.Layer;
};

interface BatchNormInternals {
  gamma: tfl.LayerVariable | null;
  beta: tfl.LayerVariable | null;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
  momentum: number;
  epsilon: number;
  axis: number | number[];
}

/**
 * tf.layers' BatchNormalization with {@link batchNormTrain} as its training path (channels-last
 * only; anything else falls back to the library's). Registered under the same class name, so saved
 * models stay standard TF.js Layers models.
 */
export class FastBatchNormalization extends BaseBatchNorm {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const axis = Array.isArray(self.axis) ? self.axis : [self.axis];
    const lastAxis = axis.length === 1 && (axis[0] === -1 || axis[0] === x.rank - 1);
    if (!kwargs.training || !lastAxis || self.gamma == null || self.beta == null) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, stats } = batchNormTrain(x, self.gamma!.read() as tf.Tensor1D, self.beta!.read() as tf.Tensor1D, self.epsilon);
      const decay = 1 - self.momentum;
      for (const [v, value] of [
        [self.movingMean, stats.mean],
        [self.movingVariance, stats.variance],
      ] as const) {
        const orig = v.read();
        v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
      }
      tf.dispose([stats.mean, stats.variance]);
      return y;
    });
  }
}
tf.serialization.registerClass(FastBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

/** A batch-normalization layer with the fast training path. */
export function batchNormalization(args: LayerArgs = {}): tfl.layers.Layer {
  return new FastBatchNormalization(args);
}
