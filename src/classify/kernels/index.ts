/**
 * The project's own training kernels. Registered once per process by {@link registerTrainingKernels};
 * each is checked against the cpu backend's result in test/kernels.test.ts.
 */
import { getKernel, registerGradient, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { convGradKernels } from './conv-grad';
import { batchNormGradConfig } from './batchnorm-grad';
import { fastPathKernels } from './fast-paths';

export { conv2DBackpropFilterVia, conv2DBackpropInputVia } from './conv-grad';
export { batchNormGradConfig } from './batchnorm-grad';

const done = new Set<string>();

/**
 * Registers the conv-gradient kernels for `backendName` (replacing the backend's own; on wasm also
 * the BatchMatMul and MaxPoolGrad fast paths) and the
 * broadcasting FusedBatchNorm gradient (for every backend). Safe to call more than once.
 */
export function registerTrainingKernels(backendName: string): void {
  if (!done.has('grad')) {
    registerGradient(batchNormGradConfig);
    done.add('grad');
  }
  if (done.has(backendName)) return;
  const kernels = backendName === 'wasm' ? [...convGradKernels(backendName), ...fastPathKernels(backendName)] : convGradKernels(backendName);
  for (const k of kernels) {
    if (getKernel(k.kernelName, backendName) != null) {
      unregisterKernel(k.kernelName, backendName);
    }
    registerKernel(k);
  }
  done.add(backendName);
}
