/**
 * A scan worker thread: its own OpenCV, TF.js backend and model, loaded once. It scans the units
 * of work it is sent (a file, or every `step`-th page of one) and posts each page as it is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Classifier } from '../classify/classifier';
import { loadOpenCV } from '../preprocess/opencv';
import { prefetchPage, preloadSignModel, scanFile, type ScanOptions } from './scan';
import type { Template } from '../segment/fields';

/** What the main thread sends. */
export interface ScanUnit {
  unit: number;
  file: string;
  first: number;
  step: number;
}

/** What the worker posts back. */
export type ScanWorkerMessage =
  | { type: 'fatal'; error: string }
  | { type: 'page'; unit: number; page: import('./document').PageResult }
  | { type: 'done'; unit: number; error?: string };

const { options } = workerData as { options: ScanOptions & { template?: Template } };
const port = parentPort!;
const post = (m: ScanWorkerMessage) => port.postMessage(m);

// OpenCV and the model load while the first units arrive: their decoding starts at once, beside
// the loading.
const ready: Promise<Classifier | null> = (async () => {
  try {
    await loadOpenCV();
    const clf = await Classifier.load(options.model, { workers: 1, backend: options.backend });
    preloadSignModel(options);
    return clf;
  } catch (e) {
    post({ type: 'fatal', error: (e as Error).message });
    return null;
  }
})();
// Units run one at a time, in the order they arrive.
let chain: Promise<unknown> = Promise.resolve();
port.on('message', (u: ScanUnit | { type: 'close' }) => {
  if ('type' in u) {
    chain = chain.then(() => ready).then((clf) => clf?.close()).then(() => port.close());
    return;
  }
  // A unit sent ahead (the main thread keeps two in flight): its decoding starts now, beside the
  // page being read (or the loading).
  if (u.first === 0 && u.step === 1) prefetchPage(u.file, options);
  chain = chain.then(async () => {
    const clf = await ready;
    if (!clf) return;
    const error = await scanFile(u.file, clf, options, (page) => post({ type: 'page', unit: u.unit, page }), u.first, u.step);
    post({ type: 'done', unit: u.unit, error });
  });
});
