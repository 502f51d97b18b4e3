/**
 * PDF pages rasterized one at a time with pdfjs-dist (rendering through @napi-rs/canvas), so a
 * 500-page PDF is never held in memory as images.
 */
import { readFileSync } from 'node:fs';
import type { GrayImage } from '../types';
import { InputError, DEFAULT_PIXEL_LIMIT } from './image';

// pdfjs-dist ships ES modules only; Node >= 20.19 loads them with require().
type PdfJs = typeof import('pdfjs-dist');
let pdfjs: PdfJs | null = null;
function lib(): PdfJs {
  if (!pdfjs) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pdfjs = require('pdfjs-dist/legacy/build/pdf.mjs') as PdfJs;
    pdfjs.GlobalWorkerOptions.workerSrc = require.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
  }
  return pdfjs;
}

/** Options for reading PDFs. */
export interface PdfOptions {
  /** Rasterization resolution. Default 300. */
  dpi?: number;
  /** Refuse pages with more pixels than this. */
  pixelLimit?: number;
  /** Read only every `step`-th page starting at 0-based `first` (to share a file among workers). */
  pages?: { first: number; step: number };
  /**
   * Render a page whose shorter side at `dpi` would be longer than this many pixels at the lower
   * resolution that makes it this long (rendering costs as the pixels). The page's `size` at `dpi`
   * is still reported. Default: no limit.
   */
  maxShortSide?: number;
}

/** One rasterized page, or the error that kept it from being read. */
export type PdfPage = { page: number; image: GrayImage; size: { width: number; height: number } } | { page: number; error: InputError };

function describe(e: unknown): string {
  const name = (e as { name?: string }).name ?? '';
  const msg = (e as Error).message ?? String(e);
  if (name === 'PasswordException') return 'encrypted PDF (password required)';
  if (name === 'InvalidPDFException') return `not a valid PDF (${msg})`;
  return `cannot read PDF (${msg})`;
}

/**
 * Rasterizes every page of a PDF to 8-bit gray at `dpi` (or less: `maxShortSide`), one page at a time. A page that fails
 * yields an error for that page and the next pages are still read; a file that cannot be opened
 * throws an {@link InputError} naming it.
 *
 * @example
 * for await (const p of readPdfPages('form.pdf', { dpi: 200 })) if ('image' in p) use(p.image);
 */
export async function* readPdfPages(path: string, options: PdfOptions = {}): AsyncGenerator<PdfPage> {
  const dpi = options.dpi ?? 300;
  const limit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  let data: Uint8Array;
  try {
    data = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new InputError(path, undefined, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message);
  }
  const { getDocument } = lib();
  let doc: Awaited<ReturnType<typeof getDocument>['promise']>;
  try {
    doc = await getDocument({ data, verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false }).promise;
  } catch (e) {
    throw new InputError(path, undefined, describe(e));
  }
  try {
    if (doc.numPages === 0) throw new InputError(path, undefined, 'PDF has no pages');
    const { first, step } = options.pages ?? { first: 0, step: 1 };
    for (let n = first + 1; n <= doc.numPages; n += step) {
      try {
        const page = await doc.getPage(n);
        const full = page.getViewport({ scale: dpi / 72 });
        const size = { width: Math.ceil(full.width), height: Math.ceil(full.height) };
        if (size.width * size.height > limit) throw new InputError(path, n, `page is ${size.width}x${size.height} at ${dpi} dpi, over the pixel limit of ${limit}`);
        const short = Math.min(full.width, full.height);
        const k = options.maxShortSide && short > options.maxShortSide ? options.maxShortSide / short : 1;
        const viewport = page.getViewport({ scale: (k * dpi) / 72 });
        const w = Math.ceil(viewport.width);
        const h = Math.ceil(viewport.height);
        const factory = (doc as unknown as { canvasFactory: { create(w: number, h: number): { canvas: unknown; context: CanvasRenderingContext2DLike } ; destroy(c: unknown): void } }).canvasFactory;
        const cc = factory.create(w, h);
        cc.context.fillStyle = '#ffffff';
        cc.context.fillRect(0, 0, w, h);
        await page.render({ canvasContext: cc.context as never, viewport, canvas: cc.canvas as never }).promise;
        const rgba = cc.context.getImageData(0, 0, w, h).data;
        const gray = new Uint8Array(w * h);
        for (let i = 0, j = 0; i < gray.length; i++, j += 4) gray[i] = (rgba[j] * 299 + rgba[j + 1] * 587 + rgba[j + 2] * 114 + 500) / 1000;
        factory.destroy(cc);
        page.cleanup();
        yield { page: n, image: { width: w, height: h, data: gray }, size };
      } catch (e) {
        yield { page: n, error: e instanceof InputError ? e : new InputError(path, n, describe(e)) };
      }
    }
  } finally {
    await doc.destroy();
  }
}

/** Number of pages of a PDF (opens it without rendering). Throws an {@link InputError}. */
export async function pdfPageCount(path: string): Promise<number> {
  let data: Uint8Array;
  try {
    data = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new InputError(path, undefined, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message);
  }
  try {
    const doc = await lib().getDocument({ data, verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false }).promise;
    const n = doc.numPages;
    await doc.destroy();
    return n;
  } catch (e) {
    throw new InputError(path, undefined, describe(e));
  }
}

interface CanvasRenderingContext2DLike {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
