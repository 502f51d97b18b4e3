/**
 * Conv2D gradients for backends whose own are missing or slow (wasm: no Conv2DBackpropFilter, and a
 * Conv2DBackpropInput ~10x slower than its forward conv). Both are rewritten as the backend's fast
 * forward convolution / matrix multiply over transposed, padded, flipped or zero-dilated tensors.
 */
import { backend_util, KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { composed, KernelScope } from './compose';

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The geometry of an NHWC conv with no dilation (shared with the native kernels). */
export function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: ConvGradAttrs,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('digitscan conv gradients support NHWC only');
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Inserts `s - 1` zeros between rows (and columns) of an NHWC tensor: [N,H,W,C] -> [N,H*sh,W*sw,C]. */
function dilate(s: KernelScope, x: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const six = s.reshape(x, [n, h, 1, w, 1, c]);
  const padded = s.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return s.reshape(padded, [n, h * sh, w * sw, c]);
}

/** Crops or zero-pads axis 1 and 2 so that the window [start, start+len) of the original is kept. */
function window2d(
  s: KernelScope,
  x: TensorInfo,
  startH: number,
  lenH: number,
  startW: number,
  lenW: number,
): TensorInfo {
  const [n, h, w, c] = x.shape;
  const b0 = Math.max(0, startH);
  const e0 = Math.min(h, startH + lenH);
  const b1 = Math.max(0, startW);
  const e1 = Math.min(w, startW + lenW);
  const cropped = s.slice(x, [0, b0, b1, 0], [n, e0 - b0, e1 - b1, c]);
  return s.pad(cropped, [
    [0, 0],
    [b0 - startH, startH + lenH - e0],
    [b1 - startW, startW + lenW - e1],
    [0, 0],
  ]);
}

/**
 * dx = full correlation of the zero-dilated dy with the flipped, channel-swapped filter:
 * one stride-1 forward conv.
 */
export function conv2DBackpropInputVia(
  backend: KernelBackend,
  backendName: string,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  attrs: ConvGradAttrs,
): TensorInfo {
  const info = convInfo(inputShape, filter.shape, attrs);
  const [kh, kw] = filter.shape;
  return composed(backend, backendName, (s) => {
    const dyd = dilate(s, dy, info.strideHeight, info.strideWidth);
    // Window of the dilated dy that the full correlation reads: negative parts are zero padding.
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = info.inHeight + kh - 1 - top - dyd.shape[1];
    const right = info.inWidth + kw - 1 - left - dyd.shape[2];
    let src = dyd;
    let pads: [number, number, number, number] = [top, bottom, left, right];
    if (pads.some((p) => p < 0)) {
      src = window2d(s, dyd, -top, info.inHeight + kh - 1, -left, info.inWidth + kw - 1);
      pads = [0, 0, 0, 0];
    }
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = s.transpose(flipped, [0, 1, 3, 2]);
    return s.run(
      'Conv2D',
      { x: src, filter: swapped },
      {
        strides: [1, 1],
        // The zero padding goes to the conv itself (no padded copy of dy).
        pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      },
    );
  });
}

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co]:
 * a forward conv of x as [Ci, H, W, N] (channels as batch) with dy as an [OH, OW, N, Co] filter,
 * dilated by the stride, giving [Ci, KH, KW, Co].
 */
export function conv2DBackpropFilterVia(
  backend: KernelBackend,
  backendName: string,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  attrs: ConvGradAttrs,
): TensorInfo {
  const info = convInfo(x.shape, filterShape, attrs);
  const [kh, kw] = filterShape;
  const [, oh, ow] = dy.shape;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  return composed(backend, backendName, (s) => {
    // Exactly the input rows and columns the forward conv read (padding included).
    const xp = window2d(s, x, -info.padInfo.top, (oh - 1) * sh + kh, -info.padInfo.left, (ow - 1) * sw + kw);
    const xT = s.transpose(xp, [3, 1, 2, 0]);
    const dyT = s.transpose(dy, [1, 2, 0, 3]);
    const out = s.run(
      'Conv2D',
      { x: xT, filter: dyT },
      { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw] },
    );
    return s.transpose(out, [1, 2, 0, 3]);
  });
}

/** Kernel configs for `backendName` (registered by {@link registerTrainingKernels}). */
export function convGradKernels(backendName: string): KernelConfig[] {
  return [
    {
      kernelName: 'Conv2DBackpropInput',
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const i = inputs as Record<string, TensorInfo>;
        const a = attrs as unknown as ConvGradAttrs & { inputShape: number[] };
        return conv2DBackpropInputVia(backend as KernelBackend, backendName, i.dy, i.filter, a.inputShape, a);
      },
    },
    {
      kernelName: 'Conv2DBackpropFilter',
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const i = inputs as Record<string, TensorInfo>;
        const a = attrs as unknown as ConvGradAttrs & { filterShape: number[] };
        return conv2DBackpropFilterVia(backend as KernelBackend, backendName, i.x, i.dy, a.filterShape, a);
      },
    },
  ];
}
