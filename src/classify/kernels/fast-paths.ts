/**
 * Faster wasm paths for kernels a training step leans on:
 * - BatchMatMul with transposed operands (the dense layers' gradients): wasm's transposed path is
 *   ~10x slower than transposing explicitly and running the plain multiply.
 * - MaxPoolGrad for 2x2/stride-2 pools: a broadcast compare against the pooled maxima instead of
 *   the generic window loop.
 * - Sum/Mean over all axes but the channels, and Identity without a copy.
 */
import { KernelBackend, KernelConfig, KernelFunc, TensorInfo, getKernel } from '@tensorflow/tfjs-core';
import { composed } from './compose';

/** BatchMatMul that transposes operands explicitly, then calls `plain` (the backend's own). */
export function batchMatMulKernel(backendName: string, plain: KernelFunc): KernelConfig {
  return {
    kernelName: 'BatchMatMul',
    backendName,
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return plain(args);
      const { a, b } = args.inputs as Record<string, TensorInfo>;
      return composed(args.backend as KernelBackend, backendName, (s) => {
        const swapLast = (t: TensorInfo) => {
          const r = t.shape.length;
          return s.transpose(t, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
        };
        const aa = transposeA ? swapLast(a) : a;
        const bb = transposeB ? swapLast(b) : b;
        const out = plain({ inputs: { a: aa, b: bb }, backend: args.backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
        return s.adopt(out);
      });
    },
  };
}

/**
 * MaxPoolGrad for 2x2 windows, stride 2, valid padding (odd sizes: the unread last row/column get
 * zero gradient); others go to `generic`.
 */
export function maxPoolGradKernel(backendName: string, generic: KernelFunc): KernelConfig {
  return {
    kernelName: 'MaxPoolGrad',
    backendName,
    kernelFunc: (args) => {
      const { filterSize, strides, pad } = args.attrs as unknown as { filterSize: number | number[]; strides: number | number[]; pad: unknown };
      const { dy, input, output } = args.inputs as Record<string, TensorInfo>;
      const two = (v: number | number[]) => (Array.isArray(v) ? v.every((u) => u === 2) : v === 2);
      if (!two(filterSize) || !two(strides) || pad !== 'valid') return generic(args);
      const [n, h, w, c] = input.shape;
      const [, oh, ow] = output.shape;
      return composed(args.backend as KernelBackend, backendName, (s) => {
        // Same-shape ops only (wasm's broadcasting path is slow): upsample maxima and dy 2x.
        const up = (t: TensorInfo) =>
          s.run('ResizeNearestNeighbor', { images: t }, { alignCorners: false, halfPixelCenters: false, size: [2 * oh, 2 * ow] });
        const x = s.slice(input, [0, 0, 0, 0], [n, 2 * oh, 2 * ow, c]);
        const hit = s.run('Equal', { a: x, b: up(output) });
        const mask = s.run('Cast', { x: hit }, { dtype: 'float32' });
        const dx = s.run('Multiply', { a: mask, b: up(dy) });
        return s.pad(dx, [[0, 0], [0, h - 2 * oh], [0, w - 2 * ow], [0, 0]]);
      });
    },
  };
}

/**
 * Sum or Mean over every axis but the last (per-channel statistics, bias gradients), ~16x faster on
 * wasm than its transposing reduction:
 * - NHWC images: an average pool over each whole image (XNNPACK's pooling, one pass over the data),
 *   then the few per-image rows are combined by a matrix product with a row of weights;
 * - otherwise: one matrix product by a row of ones (or of 1/P). The big operand is the matrix
 *   product's second one, which XNNPACK repacks on every call, so the pooled path is preferred.
 */
export function channelReduceKernel(kernelName: 'Sum' | 'Mean', backendName: string, generic: KernelFunc): KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: (args) => {
      const { x } = args.inputs as Record<string, TensorInfo>;
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const r = x.shape.length;
      const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
      const leading = r >= 2 && axes.length === r - 1 && axes.every((a, i) => a === i);
      const c = x.shape[r - 1];
      const p = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      if (!leading || x.dtype !== 'float32' || p < 64) return generic(args);
      return composed(args.backend as KernelBackend, backendName, (s) => {
        const outShape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), c] : [c];
        // Rows left to combine, each already the mean of `perRow` values.
        let rows = x;
        let n = p;
        let perRow = 1;
        if (r === 4 && x.shape[1] * x.shape[2] >= 16) {
          const [, h, w] = x.shape;
          rows = s.run('AvgPool', { x }, { filterSize: [h, w], strides: [h, w], pad: 'valid' });
          n = x.shape[0];
          perRow = h * w;
        }
        const value = kernelName === 'Mean' ? 1 / n : perRow;
        const weights = s.run('Fill', {}, { shape: [1, 1, n], value, dtype: 'float32' });
        const prod = s.run('BatchMatMul', { a: weights, b: s.reshape(rows, [1, n, c]) }, { transposeA: false, transposeB: false });
        return s.reshape(prod, outShape);
      });
    },
  };
}

/**
 * Identity that shares the input's data (reference counted, as Reshape does) instead of copying it.
 * The engine clones every tensor it saves for the backward pass; on wasm each clone was a full copy
 * (~5% of a vgg-bn training step).
 */
export function sharedIdentityKernel(backendName: string, generic: KernelFunc): KernelConfig {
  return {
    kernelName: 'Identity',
    backendName,
    kernelFunc: (args) => {
      const { inputs, backend } = args;
      const { x } = inputs as Record<string, TensorInfo>;
      if (x.dtype === 'string') return generic(args);
      (backend as KernelBackend & { incRef(id: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}

/** The fast-path kernels for `backendName`, wrapping its current ones. */
export function fastPathKernels(backendName: string): KernelConfig[] {
  const mm = getKernel('BatchMatMul', backendName);
  const mp = getKernel('MaxPoolGrad', backendName);
  const id = getKernel('Identity', backendName);
  const out: KernelConfig[] = [];
  if (id) out.push(sharedIdentityKernel(backendName, id.kernelFunc));
  if (mm) out.push(batchMatMulKernel(backendName, mm.kernelFunc));
  if (mp) out.push(maxPoolGradKernel(backendName, mp.kernelFunc));
  for (const name of ['Sum', 'Mean'] as const) {
    const k = getKernel(name, backendName);
    if (k) out.push(channelReduceKernel(name, backendName, k.kernelFunc));
  }
  return out;
}
