/**
 * Helpers to build a kernel out of a backend's own kernels, at the backend level:
 * no engine bookkeeping, no tape, every intermediate freed when the kernel returns.
 */
import { getKernel, KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Runs other kernels of one backend and frees their intermediate outputs. */
export class KernelScope {
  private readonly live: TensorInfo[] = [];

  constructor(private readonly backend: KernelBackend, private readonly backendName: string) {}

  /** Runs kernel `name` of this backend; its output is freed by {@link KernelScope.dispose} unless kept. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: object = {}): TensorInfo {
    const kernel = getKernel(name, this.backendName);
    if (kernel == null) throw new Error(`kernel ${name} is not registered for backend ${this.backendName}`);
    const out = kernel.kernelFunc({ inputs, attrs: attrs as NamedAttrMap, backend: this.backend });
    const info = Array.isArray(out) ? out[0] : out;
    this.live.push(info);
    return info;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** Tracks a result produced outside {@link KernelScope.run} (so it is freed unless kept). */
  adopt(t: TensorInfo): TensorInfo {
    this.live.push(t);
    return t;
  }

  /** Removes `t` from the scope so it outlives it (the kernel's result). */
  keep(t: TensorInfo): TensorInfo {
    const i = this.live.indexOf(t);
    if (i >= 0) this.live.splice(i, 1);
    return t;
  }

  dispose(): void {
    for (const t of this.live) this.backend.disposeData(t.dataId);
    this.live.length = 0;
  }
}

/** Runs `body` in a fresh scope and returns its kept result. */
export function composed(
  backend: KernelBackend,
  backendName: string,
  body: (s: KernelScope) => TensorInfo,
): TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}
