/**
 * PDF pages rasterized one at a time, so a 500-page PDF is never held in memory, as images or as
 * bytes: scanned pages (one image covering the page) decoded from their stored image (see
 * `pdf-scan`), every other page rendered with pdfjs-dist (through @napi-rs/canvas), which reads the
 * file at offsets as it needs them (a range transport) and is opened again once it has read
 * {@link PDFJS_REOPEN_BYTES} (it keeps what it has read until closed).
 */
import { dirname, join, sep } from 'node:path';
import type { PDFDataRangeTransport } from 'pdfjs-dist';
import type { GrayImage } from '../types';
import { bitsToGray, InputError, DEFAULT_PIXEL_LIMIT, MAX_PAGE_INCHES, toGray } from './image';
import { FileSource } from './pdf-file';
import { nextWanted, noneWanted, shareOf, type PageRanges } from './pages';
import { concat, coversPage, decodeScan, ScanPdf } from './pdf-scan';

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

/**
 * Where pdfjs finds the data it ships beside its code, which it loads only when given these folders:
 * the WebAssembly decoders of JPEG 2000 and JBIG2 images (without them such an image is not drawn,
 * silently: a scan read as a blank page), the standard 14 fonts' outlines (text set in a font the file
 * does not embed, as many forms' print is), the CJK character maps and the ICC colour profiles.
 */
function pdfjsData(): { wasmUrl: string; standardFontDataUrl: string; cMapUrl: string; iccUrl: string } {
  const root = dirname(require.resolve('pdfjs-dist/package.json'));
  const dir = (name: string) => join(root, name) + sep;
  return { wasmUrl: dir('wasm'), standardFontDataUrl: dir('standard_fonts'), cMapUrl: dir('cmaps'), iccUrl: dir('iccs') };
}

/** Options for reading PDFs. */
export interface PdfOptions {
  /** Rasterization resolution. Default 300. */
  dpi?: number;
  /** Refuse pages with more pixels than this. */
  pixelLimit?: number;
  /**
   * Read only the pages in `only` (every page when absent), and of those every `step`-th starting at
   * the 0-based `first` (to share a file among workers).
   */
  pages?: { first: number; step: number; only?: PageRanges };
  /**
   * Render a page whose shorter side at `dpi` would be longer than this many pixels at the lower
   * resolution that makes it this long (rendering costs as the pixels). The page's `size` at `dpi`
   * is still reported. Default: no limit.
   */
  maxShortSide?: number;
}

/**
 * One rasterized page, or the error that kept it from being read. `ppi`: the image's pixels per inch
 * (from the page's size in points), unless the page is implausibly large for a scan (over
 * {@link MAX_PAGE_INCHES}: an image saved without a resolution that img2pdf made a 35-inch page).
 */
export type PdfPage = { page: number; image: GrayImage; size: { width: number; height: number }; ppi?: number } | { page: number; error: InputError };

/** `page` with the pixels per inch of its image (`size` is the page at `dpi`). */
function withPpi<P extends PdfPage>(page: P, dpi: number): P {
  if (!('image' in page)) return page;
  const ppi = (dpi * page.image.width) / page.size.width;
  // A page's size is what its file says, at any resolution (a 96-dpi scan is one): only its length is judged.
  return ppi > 0 && Math.max(page.image.width, page.image.height) / ppi <= MAX_PAGE_INCHES ? { ...page, ppi } : page;
}

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
  // Scanned pages are decoded from their stored image (see pdf-scan), the file read object by object
  // as pages need it; pdfjs, opened when a page needs it, renders the rest, reading the file at offsets too.
  const scans = await ScanPdf.open(path);
  let renderer: Promise<Renderer> | null = null;
  const rendererOf = () => (renderer ??= openRenderer(path, options));
  try {
    const count = scans ? scans.pageCount : (await rendererOf()).numPages;
    if (count === 0) throw new InputError(path, undefined, 'PDF has no pages');
    const { first, step, only } = options.pages ?? { first: 0, step: 1 };
    const none = noneWanted(only, count);
    if (none) throw new InputError(path, undefined, none);
    const mine = shareOf(only, first, step);
    for (let n = 1; n <= count && nextWanted(only, n) !== Infinity; n++) {
      if (!mine(n)) continue;
      const scan = scans?.scanOf(n - 1);
      if (scan && scan.width * scan.height <= limit) {
        const turned = scan.rotate === 90 || scan.rotate === 270;
        // The page at `dpi` is only the frame its boxes are given in (a scan whose image said no
        // resolution may make a page of 35 inches: img2pdf takes 72 dpi): the stored image, within
        // the limit, is all that is decoded.
        const size = { width: px(((turned ? scan.points.height : scan.points.width) * dpi) / 72), height: px(((turned ? scan.points.width : scan.points.height) * dpi) / 72) };
        const image = await decodeScan(scan, options.maxShortSide).catch(() => null);
        if (image) {
          yield withPpi({ page: n, image, size }, dpi);
          continue;
        }
        // A stored image that does not decode: pdfjs has its say.
      }
      let r: Renderer;
      try {
        r = await rendererOf();
      } catch (e) {
        yield { page: n, error: e instanceof InputError ? new InputError(path, n, e.problem) : new InputError(path, n, describe(e)) };
        continue;
      }
      yield withPpi(await r.render(n), dpi);
    }
  } finally {
    scans?.close();
    if (renderer) await (await (renderer as Promise<Renderer>).catch(() => null))?.close();
  }
}

/** The error of page `n`, `size` pixels at `dpi`, over the pixel limit. */
function overLimit(path: string, n: number, size: { width: number; height: number }, dpi: number, limit: number): InputError {
  return new InputError(path, n, `page is ${size.width}x${size.height} at ${+dpi.toFixed(1)} dpi, over the pixel limit of ${limit}`);
}

/** pdfjs is opened again after it has read this many bytes of a file (it keeps what it reads until closed). */
export const PDFJS_REOPEN_BYTES = 64 * 1024 * 1024;

type PdfDocumentProxy = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

/**
 * Opens a PDF file with pdfjs, which reads it at offsets as it needs them; `read` counts the bytes
 * it has been given. An {@link InputError} names the file when it cannot be opened.
 */
async function openPdfjs(path: string): Promise<{ doc: PdfDocumentProxy; read: () => number }> {
  let source: FileSource;
  try {
    source = new FileSource(path);
  } catch (e) {
    throw new InputError(path, undefined, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message);
  }
  const task = lib().getDocument({ range: fileRange(source), disableAutoFetch: true, disableStream: true, verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, ...pdfjsData() });
  try {
    const doc = await task.promise;
    // The file is closed with the document (pdfjs asks for nothing after that).
    const destroy = doc.destroy.bind(doc);
    doc.destroy = () => destroy().finally(() => source.close());
    return { doc, read: () => source.bytesRead };
  } catch (e) {
    await task.destroy().catch(() => undefined);
    source.close();
    throw new InputError(path, undefined, describe(e));
  }
}

/** pdfjs's view of a file: the ranges it asks for, read from the file when asked. */
function fileRange(source: FileSource): PDFDataRangeTransport {
  class FileRange extends lib().PDFDataRangeTransport {
    override requestDataRange(begin: number, end: number): void {
      let chunk: Uint8Array;
      try {
        chunk = source.read(begin, end - begin);
      } catch {
        // The file went away while open: pdfjs reports the missing data as the page's error.
        chunk = new Uint8Array(0);
      }
      // Answered after pdfjs's own call returns, as a network would.
      setImmediate(() => this.onDataRange(begin, chunk));
    }
  }
  return new FileRange(source.size, null);
}

/** 792 pt at 300 dpi is 3300 px, not 3301. */
const px = (v: number) => Math.ceil(v - 1e-6);

/** A PDF opened with pdfjs-dist: renders pages on demand. */
interface Renderer {
  numPages: number;
  /** Renders 1-based page `n` (errors are returned as the page's). */
  render(n: number): Promise<PdfPage>;
  close(): Promise<void>;
}

/**
 * Opens a PDF with pdfjs-dist, reading it at offsets; an {@link InputError} names the file when it
 * cannot. After {@link PDFJS_REOPEN_BYTES} read, the next page opens it again, which lets go of
 * what pdfjs has read.
 */
async function openRenderer(path: string, options: PdfOptions): Promise<Renderer> {
  const dpi = options.dpi ?? 300;
  const limit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  let opened = await openPdfjs(path);
  let doc = opened.doc;
  const fresh = async () => {
    if (opened.read() < PDFJS_REOPEN_BYTES) return;
    await doc.destroy();
    opened = await openPdfjs(path);
    doc = opened.doc;
  };
  const render = async (n: number): Promise<PdfPage> => {
    try {
      await fresh();
      const page = await doc.getPage(n);
      const full = page.getViewport({ scale: dpi / 72 });
      const size = { width: px(full.width), height: px(full.height) };
      const scanned = await pageImage(page, limit);
      if (scanned) {
        page.cleanup();
        return { page: n, image: scanned, size };
      }
      // Rendered at `dpi`, or lower for `maxShortSide`: the pixels drawn are what the limit bounds.
      const short = Math.min(full.width, full.height);
      const k = options.maxShortSide && short > options.maxShortSide ? options.maxShortSide / short : 1;
      const viewport = page.getViewport({ scale: (k * dpi) / 72 });
      const w = px(viewport.width);
      const h = px(viewport.height);
      if (w * h > limit) throw overLimit(path, n, { width: w, height: h }, k * dpi, limit);
      const factory = (doc as unknown as { canvasFactory: { create(w: number, h: number): { canvas: unknown; context: CanvasRenderingContext2DLike }; destroy(c: unknown): void } }).canvasFactory;
      const cc = factory.create(w, h);
      cc.context.fillStyle = '#ffffff';
      cc.context.fillRect(0, 0, w, h);
      await page.render({ canvasContext: cc.context as never, viewport, canvas: cc.canvas as never }).promise;
      const gray = toGray(cc.context.getImageData(0, 0, w, h).data, w * h, 4);
      factory.destroy(cc);
      page.cleanup();
      return { page: n, image: { width: w, height: h, data: gray }, size };
    } catch (e) {
      return { page: n, error: e instanceof InputError ? e : new InputError(path, n, e instanceof PageProblem ? e.message : describe(e)) };
    }
  };
  return { numPages: doc.numPages, render, close: () => doc.destroy() };
}

/** What is wrong with one page, said as it is (not as pdfjs's error). */
class PageProblem extends Error {}

type PdfPageProxy = Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>;

/**
 * What a page's operator list may hold around its one image for the page to be a scan: nothing that
 * paints, bar text in render mode 3 (invisible: an OCR text layer), which may sit in form XObjects.
 */
const NEUTRAL_OPS = ['dependency', 'setGState', 'beginMarkedContent', 'beginMarkedContentProps', 'endMarkedContent', 'markPoint', 'markPointProps'];
const TEXT_STATE_OPS = ['beginText', 'endText', 'setCharSpacing', 'setWordSpacing', 'setHScale', 'setLeading', 'setFont', 'setTextRise', 'moveText', 'setLeadingMoveText', 'setTextMatrix', 'nextLine'];
const TEXT_SHOW_OPS = ['showText', 'showSpacedText', 'nextLineShowText', 'nextLineSetSpacingShowText'];
const COLOUR_OPS = ['setLineWidth', 'setLineCap', 'setLineJoin', 'setMiterLimit', 'setDash', 'setRenderingIntent', 'setFlatness', 'setStrokeColorSpace', 'setFillColorSpace', 'setStrokeColor', 'setStrokeColorN', 'setFillColor', 'setFillColorN', 'setStrokeGray', 'setFillGray', 'setStrokeRGBColor', 'setFillRGBColor', 'setStrokeCMYKColor', 'setFillCMYKColor'];

/** pdfjs's operator numbers of a list of names. */
function opSet(names: string[]): Set<number> {
  const { OPS } = lib();
  return new Set(names.map((k) => (OPS as Record<string, number>)[k]).filter((v) => v !== undefined));
}

/**
 * A scanned page: when all the page draws is one upright image covering it (and invisible text),
 * that image as it is stored (its own resolution; no rendering, which would resample it), else null.
 * The caller maps its pixels to the page's size. Images over the pixel limit are rendered instead
 * (and refused there if the page as drawn is over it too).
 */
async function pageImage(page: PdfPageProxy, pixelLimit: number): Promise<GrayImage | null> {
  const [x0, y0, x1, y1] = page.view;
  if (page.rotate % 360 !== 0 || x0 !== 0 || y0 !== 0) return null;
  const ops = await page.getOperatorList();
  const { OPS } = lib();
  const neutral = opSet([...NEUTRAL_OPS, ...TEXT_STATE_OPS, ...COLOUR_OPS]);
  const show = opSet(TEXT_SHOW_OPS);
  let state = { ctm: [1, 0, 0, 1, 0, 0], mode: 0, form: 0 };
  const stack: Array<typeof state> = [];
  let found: { id: string; ctm: number[] } | null = null;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[];
    if (fn === OPS.paintImageXObject) {
      if (found || state.form > 0) return null;
      found = { id: args[0] as string, ctm: state.ctm };
    } else if (fn === OPS.save) stack.push(state);
    else if (fn === OPS.restore) state = stack.pop() ?? { ctm: [1, 0, 0, 1, 0, 0], mode: 0, form: 0 };
    else if (fn === OPS.transform) state = { ...state, ctm: concat(args as number[], state.ctm) };
    else if (fn === OPS.setTextRenderingMode) state = { ...state, mode: args[0] as number };
    else if (fn === OPS.paintFormXObjectBegin) {
      stack.push(state);
      state = { ...state, form: state.form + 1 };
    } else if (fn === OPS.paintFormXObjectEnd) state = stack.pop() ?? state;
    else if (show.has(fn)) {
      if (state.mode !== 3) return null;
    } else if (!neutral.has(fn)) return null;
  }
  if (!found) return null;
  if (!coversPage(found.ctm, x1, y1)) return null;
  const img = (await new Promise((resolve) => page.objs.get(found!.id, resolve))) as { width: number; height: number; kind: number; data?: Uint8Array | Uint8ClampedArray } | null;
  // pdfjs gives null for an image it could not decode, and draws the page without it: blank.
  if (img === null) throw new PageProblem('its scanned image could not be decoded (damaged, or in a form pdfjs does not read)');
  if (!img.data || img.width < 1 || img.height < 1 || img.width * img.height > pixelLimit) return null;
  const { width: w, height: h, data } = img;
  if (img.kind === 2 || img.kind === 3) {
    // RGB_24BPP, RGBA_32BPP.
    const k = img.kind === 2 ? 3 : 4;
    return data.length < w * h * k ? null : { width: w, height: h, data: toGray(data, w * h, k) };
  }
  if (img.kind !== 1) return null;
  // GRAYSCALE_1BPP: rows padded to bytes, a set bit is white.
  return { width: w, height: h, data: bitsToGray(data, w, h, 255) };
}

/** Number of pages of a PDF (opens it without rendering). Throws an {@link InputError}. */
export async function pdfPageCount(path: string): Promise<number> {
  // Read from its structure when this reader reads it (a few kilobytes of the file), else by pdfjs.
  const scans = await ScanPdf.open(path);
  if (scans) {
    scans.close();
    return scans.pageCount;
  }
  const { doc } = await openPdfjs(path);
  const n = doc.numPages;
  await doc.destroy();
  return n;
}

interface CanvasRenderingContext2DLike {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
