/** A pool of classify worker threads with request/response messaging. */
import { Worker } from 'node:worker_threads';
import type { BackendName } from './backend';
import type { WorkerRequest } from './worker';
import { compiledScript, defaultWorkers } from '../threads';

export { defaultWorkers };

export class WorkerPool {
  readonly workers: Worker[];
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(size: number, backend: BackendName) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(compiledScript('classify/worker.js'), { workerData: { backend } });
      w.on('message', (m: { id: number; result?: unknown; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(m.error));
        else p.resolve(m.result);
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      return w;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends a request to worker `i` and resolves with its reply. */
  call<T>(i: number, msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.workers[i].postMessage({ ...msg, id }, transfer);
    });
  }

  /** Sends the same request to every worker. */
  all<T>(msg: WorkerRequest): Promise<T[]> {
    return Promise.all(this.workers.map((_, i) => this.call<T>(i, msg)));
  }

  /**
   * Splits rows [0, count) into chunks of at most `maxChunk` and keeps every worker busy with them:
   * `job` handles one chunk on one worker. Resolves when all chunks are done. The chunks are of
   * equal size and their number is a multiple of the workers, so no worker is left running a last
   * chunk alone (20,000 rows in chunks of 4,096 on 2 workers would be 3 chunks against 2).
   */
  async forEachChunk(count: number, maxChunk: number, job: (worker: number, start: number, end: number) => Promise<void>): Promise<void> {
    const chunk = balancedChunk(count, maxChunk, this.workers.length);
    let next = 0;
    const run = async (w: number) => {
      while (next < count) {
        const start = next;
        next = Math.min(count, next + chunk);
        await job(w, start, next);
      }
    };
    await Promise.all(this.workers.map((_, w) => run(w)));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The chunk size forEachChunk uses: equal chunks of at most `maxChunk`, a multiple of `workers` of them. */
export function balancedChunk(count: number, maxChunk: number, workers: number): number {
  const pieces = Math.max(1, workers) * Math.ceil(count / (Math.max(1, workers) * maxChunk));
  return Math.max(1, Math.ceil(count / Math.max(1, pieces)));
}
