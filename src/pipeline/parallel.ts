/**
 * Scanning over worker threads: files, and the pages of multi-page files, are shared among
 * workers; results are handed on in input and page order, each as soon as everything before it is
 * done. A worker that dies fails only the unit it was on; a fresh one takes its place.
 */
import { Worker } from 'node:worker_threads';
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { pageCount, type ExpandedInput } from '../io/inputs';
import { nextWanted, pageRanges, wantedCount } from '../io/pages';
import type { Template } from '../segment/fields';
import { compiledScript } from '../threads';
import type { DocumentResult, PageResult } from './document';
import type { ScanOptions } from './scan';
import type { ScanUnit, ScanWorkerMessage } from './scan-worker';

const MULTI_PAGE = new Set(['.pdf', '.tif', '.tiff', '.gif']);

/**
 * PDFs at least this big are shared among the workers without counting their pages first.
 * Counting means opening the PDF here before any worker starts (1.2 s for a 300 MB PDF of 60
 * scanned pages); a PDF this big is almost always many pages, and a worker whose share turns out to
 * hold no page is done at once. A TIFF's pages are counted from its header, at no such cost.
 */
const COUNT_PDF_BELOW_BYTES = 16 * 1024 * 1024;

/** Pages of a multi-page file to share among `workers`: a big PDF is taken to have enough. */
async function pagesToShare(file: string, workers: number): Promise<number> {
  if (extname(file).toLowerCase() === '.pdf') {
    try {
      if (statSync(file).size >= COUNT_PDF_BELOW_BYTES) return workers;
    } catch {
      return 1; // the worker reports what is wrong with it
    }
  }
  return pageCount(file).catch(() => 1);
}

interface DocState {
  doc: DocumentResult;
  unitsLeft: number;
  buffered: Map<number, PageResult>;
  nextPage: number;
}

/**
 * Scans `items` on `concurrency` worker threads. Resolves with null when there is too little work
 * to share (fewer than two units), so the caller scans in its own thread.
 */
export async function scanParallel(
  items: ExpandedInput[],
  options: ScanOptions & { template?: Template },
  concurrency: number,
  onDocument: (doc: DocumentResult) => void | Promise<void>,
  onPage?: (doc: DocumentResult, page: PageResult) => void | Promise<void>,
): Promise<{ documents: number; failed: number } | null> {
  // Units of work: a file, or for a multi-page file every n-th (wanted) page on each of n workers.
  const ranges = pageRanges(options.pages);
  const docs: DocState[] = [];
  const units: Array<ScanUnit & { doc: number }> = [];
  for (const item of items) {
    const d = docs.length;
    if ('missing' in item) {
      docs.push({ doc: { source: item.missing, pages: [], error: `${item.missing}: ${item.why}` }, unitsLeft: 0, buffered: new Map(), nextPage: 1 });
      continue;
    }
    let pages = 1;
    // A file is shared by its wanted pages: no more readers than there can be wanted pages.
    if (MULTI_PAGE.has(extname(item.file).toLowerCase())) pages = Math.min(wantedCount(ranges), await pagesToShare(item.file, concurrency));
    const n = Math.max(1, Math.min(concurrency, pages));
    for (let k = 0; k < n; k++) units.push({ unit: units.length, doc: d, file: item.file, first: k, step: n });
    docs.push({ doc: { source: item.file, pages: [] }, unitsLeft: n, buffered: new Map(), nextPage: nextWanted(ranges, 1) });
  }
  if (units.length < 2) return null;

  const { classifier, stringModel, ...rest } = options;
  const workerOptions = {
    ...rest,
    model: rest.model ?? classifier?.modelPath,
    stringModel: typeof stringModel === 'object' ? stringModel.dir : stringModel,
    backend: rest.backend ?? classifier?.backend,
  };
  let failed = 0;
  let head = 0;
  let emitting = Promise.resolve();
  // Hands on, in order, every page and document that is complete.
  const emit = () => {
    emitting = emitting.then(async () => {
      while (head < docs.length) {
        const s = docs[head];
        while (s.buffered.has(s.nextPage)) {
          const page = s.buffered.get(s.nextPage)!;
          s.buffered.delete(s.nextPage);
          // The next page to hand on: the next wanted one.
          s.nextPage = nextWanted(ranges, s.nextPage + 1);
          s.doc.pages.push(page);
          await onPage?.(s.doc, page);
        }
        if (s.unitsLeft > 0) return;
        for (const [, page] of [...s.buffered].sort((a, b) => a[0] - b[0])) {
          s.doc.pages.push(page);
          await onPage?.(s.doc, page);
        }
        s.buffered.clear();
        if (s.doc.error) failed++;
        await onDocument(s.doc);
        head++;
      }
    });
  };

  let nextUnit = 0;
  // Units sent ahead to a worker that died before beginning them.
  const requeued: Array<ScanUnit & { doc: number }> = [];
  const finishUnit = (u: ScanUnit & { doc: number }, error?: string) => {
    const s = docs[u.doc];
    if (error && !s.doc.error) s.doc.error = error;
    s.unitsLeft--;
    emit();
  };

  await new Promise<void>((resolve, reject) => {
    let live = 0;
    let settled = false;
    const all: Worker[] = [];
    // Returns how to send the worker its first units: at once, before it is ready, so that it decodes
    // them while it loads OpenCV and the model (once every worker is started, so they share fairly).
    const start = (): (() => void) => {
      const w = new Worker(compiledScript('pipeline/scan-worker.js'), { workerData: { options: workerOptions } });
      all.push(w);
      live++;
      // Units sent and not yet done, oldest first. A second one goes ahead while there are enough
      // left for every worker, so that the worker decodes the next file while it reads the current
      // one; the last units go to whichever worker is free first.
      const sent: Array<ScanUnit & { doc: number }> = [];
      let closed = false;
      const fill = () => {
        const left = () => requeued.length + units.length - nextUnit;
        while (!closed && (sent.length === 0 || (sent.length === 1 && left() >= live))) {
          const u = requeued.shift() ?? (nextUnit < units.length ? units[nextUnit++] : undefined);
          if (!u) {
            if (sent.length === 0) {
              closed = true;
              w.postMessage({ type: 'close' });
            }
            return;
          }
          sent.push(u);
          const { doc: _doc, ...msg } = u;
          w.postMessage(msg);
        }
      };
      w.on('message', (m: ScanWorkerMessage) => {
        if (m.type === 'fatal') {
          settled = true;
          all.forEach((x) => void x.terminate());
          reject(new Error(m.error));
        } else if (m.type === 'page') {
          if (m.page.error) failed++;
          docs[units[m.unit].doc].buffered.set(m.page.page, m.page);
          emit();
        } else if (m.type === 'done') {
          const k = sent.findIndex((u) => u.unit === m.unit);
          if (k >= 0) sent.splice(k, 1);
          finishUnit(units[m.unit], m.error);
          fill();
        }
      });
      // A worker that fails or stops: the unit being read fails; one sent ahead and not begun goes
      // to the next worker.
      const lost = (why: string) => {
        const [current, ...ahead] = sent.splice(0);
        if (current) finishUnit(current, `${current.file}: ${why}`);
        requeued.push(...ahead);
      };
      w.on('error', (e) => lost(`worker failed (${e.message})`));
      w.on('exit', (code) => {
        if (!settled) lost(`worker stopped (exit code ${code})`);
        live--;
        if (settled) return;
        if (nextUnit < units.length || requeued.length > 0) start()(); // a worker died with work left: replace it
        else if (live === 0) {
          settled = true;
          resolve();
        }
      });
      return fill;
    };
    const first: Array<() => void> = [];
    for (let i = 0; i < Math.min(concurrency, units.length); i++) first.push(start());
    first.forEach((f) => f());
  });
  emit();
  await emitting;
  return { documents: items.length, failed };
}
