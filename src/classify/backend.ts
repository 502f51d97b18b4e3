/**
 * TensorFlow.js backend selection: wasm (default; XNNPACK, with the project's training kernels),
 * cpu (pure JS fallback), or tensorflow (@tensorflow/tfjs-node, when the user has installed it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from './kernels';
import { BACKENDS, type BackendName } from './backend-names';

export { BACKENDS, type BackendName };

let active: Promise<BackendName> | null = null;
let activeName: BackendName | null = null;

async function init(name: BackendName): Promise<BackendName> {
  // Production mode: no "install tfjs-node" banner from the cpu backend, no debug-only checks.
  tf.env().set('PROD', true);
  if (name === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
  } else if (name === 'cpu') {
    require('@tensorflow/tfjs-backend-cpu');
  } else {
    try {
      require('@tensorflow/tfjs-node');
    } catch (e) {
      throw new Error(
        `--backend tensorflow needs @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node): ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`TensorFlow.js backend "${name}" failed to initialize`);
  if (name === 'wasm') registerTrainingKernels('wasm');
  // Keep logs quiet: no "overriding the gradient" or platform warnings.
  tf.env().set('DEBUG', false);
  return name;
}

/**
 * Makes `name` the active backend (once per process; a second call with another name switches).
 *
 * @example
 * await useBackend('wasm');
 */
export async function useBackend(name: BackendName = 'wasm'): Promise<BackendName> {
  if (!BACKENDS.includes(name)) throw new Error(`unknown --backend "${name}": choose one of ${BACKENDS.join(', ')}`);
  if (active && activeName === name) return active;
  activeName = name;
  active = init(name);
  try {
    return await active;
  } catch (e) {
    active = null;
    activeName = null;
    throw e;
  }
}
