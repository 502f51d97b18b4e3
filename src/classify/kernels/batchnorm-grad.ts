/**
 * Gradient of FusedBatchNorm (NHWC, per-channel statistics) with broadcasting instead of the
 * library's Tile, which dominates a batch-norm network's training step on wasm.
 */
import { GradConfig, Tensor, add, mul, reshape, rsqrt, scalar, sub, sum } from '@tensorflow/tfjs-core';

export const batchNormGradConfig: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const g = dy as Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved;
    const perChannel = mean.rank === 1;
    // Axes summed over for per-channel parameters: all but the last.
    const axes = perChannel ? x.shape.slice(0, -1).map((_, i) => i) : [];
    const reduce = (t: Tensor) => (perChannel ? sum(t, axes) : t);
    const inv = rsqrt(add(variance, scalar(varianceEpsilon)));
    const scaleInv = scale == null ? inv : mul(scale, inv);
    // sum(dy * (x - mean)) is shared by the variance and scale gradients. Computed here, not in a
    // closure: the engine runs each input's closure in its own scope and frees what it made.
    const sumDyXmu = reduce(mul(g, sub(x, mean)));
    return {
      x: () => reshape(mul(g, scaleInv), x.shape),
      mean: () => reshape(mul(reduce(g), mul(scaleInv, scalar(-1))), mean.shape),
      variance: () =>
        reshape(mul(sumDyXmu, mul(mul(scaleInv, mul(inv, inv)), scalar(-0.5))), mean.shape),
      scale: () => reshape(mul(sumDyXmu, inv), mean.shape),
      offset: () => reshape(reduce(g), mean.shape),
    };
  },
};
