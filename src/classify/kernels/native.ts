/**
 * Native convolution kernels (native/, C++ with AVX-512, built by `npm install` when the machine has a
 * compiler) for the wasm backend: Conv2D, FusedConv2D (bias, ReLU), Conv2DBackpropInput (stride 1),
 * Conv2DBackpropFilter and MaxPoolGrad, 3-10x faster than wasm's XNNPACK and the composed gradients. They read
 * and write the wasm heap in place. Without the addon (not built, CPU without AVX-512, or
 * `DIGITSCAN_NATIVE=0`) everything runs on the wasm kernels as before; each kernel also hands
 * anything it does not cover (dilation, NCHW, other activations, strided input gradients) to them.
 */
import { backend_util, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { nativeAddon, NATIVE_ADDON_PATH } from '../../native';
import { convInfo } from './conv-grad';

export { NATIVE_ADDON_PATH };

/** The addon's functions (native/src/addon.cc); geometry = [n,h,w,c, kh,kw, sh,sw, pt,pl, oh,ow, co]. */
export interface NativeConv {
  supported: boolean;
  conv2d(x: Float32Array, filter: Float32Array, bias: Float32Array | null, out: Float32Array, geometry: Int32Array, relu: boolean): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, geometry: Int32Array): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
}

let loaded: { addon: NativeConv | null; why: string } | null = null;

/**
 * The native kernels, or null with the reason they are not used (`nativeStatus().why`).
 */
export function nativeConv(): NativeConv | null {
  return nativeStatus().addon;
}

/** Whether the native kernels are in use, and why not. */
export function nativeStatus(): { addon: NativeConv | null; why: string } {
  if (loaded) return loaded;
  const { addon, why } = nativeAddon();
  const conv = addon as unknown as NativeConv | null;
  if (!conv) loaded = { addon: null, why };
  else loaded = conv.supported ? { addon: conv, why: 'native kernels (AVX-512)' } : { addon: null, why: 'this CPU has no AVX-512' };
  return loaded;
}

interface WasmHeap {
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW' | 'channelsLast';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

function geometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth, info.outChannels,
  ]);
}

/** The conv's geometry, or null when the native kernels do not cover it. */
function infoOf(xShape: number[], filterShape: number[], a: ConvAttrs): backend_util.Conv2DInfo | null {
  if (a.dataFormat === 'NCHW') return null;
  const d = a.dilations ?? 1;
  if (Array.isArray(d) ? d.some((v) => v !== 1) : d !== 1) return null;
  const info = convInfo(xShape, filterShape, { ...a, dataFormat: 'NHWC' });
  return info.outHeight > 0 && info.outWidth > 0 && info.padInfo.top >= 0 && info.padInfo.left >= 0 ? info : null;
}

const allFloat = (...ts: TensorInfo[]) => ts.every((t) => t.dtype === 'float32');

/**
 * Kernel configs for the wasm backend; `generic` gives the kernel each one replaces (for what it does
 * not cover). Empty when the addon is not available.
 */
export function nativeKernels(backendName: string, generic: (name: string) => KernelFunc): KernelConfig[] {
  const nat = nativeConv();
  if (!nat || backendName !== 'wasm') return [];
  /** Allocates the output on the wasm heap and calls the addon with views of its operands. */
  const withOutput = (backend: unknown, shape: number[], call: (view: (t: TensorInfo) => Float32Array, out: TensorInfo) => void): TensorInfo => {
    const b = backend as WasmHeap;
    const out = b.makeOutput(shape, 'float32');
    // Views after the allocation: growing the heap detaches older ones.
    call((t) => b.typedArrayFromHeap(t) as Float32Array, out);
    return out;
  };
  const conv = (name: 'Conv2D' | 'FusedConv2D'): KernelConfig => {
    const fallback = generic(name);
    return {
      kernelName: name,
      backendName,
      kernelFunc: (args) => {
        const i = args.inputs as Record<string, TensorInfo | undefined>;
        const a = args.attrs as unknown as ConvAttrs;
        const x = i.x!;
        const filter = i.filter!;
        const bias = i.bias ?? null;
        const act = a.activation ?? 'linear';
        const info = infoOf(x.shape, filter.shape, a);
        const ok =
          info != null &&
          (act === 'linear' || act === 'relu') &&
          i.preluActivationWeights == null &&
          allFloat(x, filter, ...(bias ? [bias] : [])) &&
          (bias == null || bias.shape.reduce((p, q) => p * q, 1) === info.outChannels);
        if (!ok) return fallback(args);
        return withOutput(args.backend, info.outShape as number[], (v, out) =>
          nat.conv2d(v(x), v(filter), bias ? v(bias) : null, v(out), geometry(info), act === 'relu'),
        );
      },
    };
  };
  const poolGrad = generic('MaxPoolGrad');
  const inputGrad = generic('Conv2DBackpropInput');
  const filterGrad = generic('Conv2DBackpropFilter');
  return [
    conv('Conv2D'),
    conv('FusedConv2D'),
    {
      kernelName: 'Conv2DBackpropInput',
      backendName,
      kernelFunc: (args) => {
        const { dy, filter } = args.inputs as Record<string, TensorInfo>;
        const a = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
        const info = infoOf(a.inputShape, filter.shape, a);
        if (!info || info.strideHeight !== 1 || info.strideWidth !== 1 || !allFloat(dy, filter)) return inputGrad(args);
        return withOutput(args.backend, a.inputShape, (v, out) => nat.conv2dBackpropInput(v(dy), v(filter), v(out), geometry(info)));
      },
    },
    {
      kernelName: 'Conv2DBackpropFilter',
      backendName,
      kernelFunc: (args) => {
        const { x, dy } = args.inputs as Record<string, TensorInfo>;
        const a = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
        const info = infoOf(x.shape, a.filterShape, a);
        if (!info || !allFloat(x, dy)) return filterGrad(args);
        return withOutput(args.backend, a.filterShape, (v, out) => nat.conv2dBackpropFilter(v(x), v(dy), v(out), geometry(info)));
      },
    },
    {
      kernelName: 'MaxPoolGrad',
      backendName,
      kernelFunc: (args) => {
        const { dy, input } = args.inputs as Record<string, TensorInfo>;
        const a = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: ConvAttrs['pad']; dimRoundingMode?: ConvAttrs['dimRoundingMode'] };
        if (!allFloat(dy, input)) return poolGrad(args);
        const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
        if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2]) return poolGrad(args);
        return withOutput(args.backend, input.shape, (v, out) => nat.maxPoolGrad(v(input), v(dy), v(out), geometry(info)));
      },
    },
  ];
}
