/**
 * The project's own training kernels. Registered once per process by {@link registerTrainingKernels};
 * each is checked against the cpu backend's result in test/kernels.test.ts.
 */
import { getKernel, KernelConfig, registerGradient, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { convGradKernels } from './conv-grad';
import { batchNormGradConfig } from './batchnorm-grad';
import { fastPathKernels } from './fast-paths';
import { nativeKernels } from './native';

export { conv2DBackpropFilterVia, conv2DBackpropInputVia } from './conv-grad';
export { batchNormGradConfig } from './batchnorm-grad';
export { nativeStatus, NATIVE_ADDON_PATH } from './native';

const done = new Set<string>();

/**
 * Registers the conv-gradient kernels for `backendName` (replacing the backend's own; on wasm also
 * the BatchMatMul and MaxPoolGrad fast paths, then the native convolutions when the addon is built,
 * each falling back to the kernel it replaces) and the
 * broadcasting FusedBatchNorm gradient (for every backend). Safe to call more than once.
 */
export function registerTrainingKernels(backendName: string): void {
  if (!done.has('grad')) {
    registerGradient(batchNormGradConfig);
    done.add('grad');
  }
  if (done.has(backendName)) return;
  const kernels = backendName === 'wasm' ? [...convGradKernels(backendName), ...fastPathKernels(backendName)] : convGradKernels(backendName);
  const replace = (k: KernelConfig) => {
    if (getKernel(k.kernelName, backendName) != null) {
      unregisterKernel(k.kernelName, backendName);
    }
    registerKernel(k);
  };
  kernels.forEach(replace);
  nativeKernels(backendName, (name) => {
    const k = getKernel(name, backendName);
    if (!k) throw new Error(`kernel ${name} is not registered for backend ${backendName}`);
    return k.kernelFunc;
  }).forEach(replace);
  done.add(backendName);
}
