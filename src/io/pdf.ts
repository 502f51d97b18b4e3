/**
 * PDF pages rasterized one at a time, so a 500-page PDF is never held in memory, as images or as
 * bytes: scanned pages (one image covering the page, or drawn upright within it) decoded from their
 * stored image (see `pdf-scan`), with what is painted over a scan rendered alone by pdfjs-dist and
 * painted over it; every other page rendered with pdfjs-dist (through @napi-rs/canvas), which reads the
 * file at offsets as it needs them (a range transport) and is opened again once it has read
 * {@link PDFJS_REOPEN_BYTES} (it keeps what it has read until closed).
 */
import { dirname, join, sep } from 'node:path';
import type { PDFDataRangeTransport } from 'pdfjs-dist';
import type { GrayImage } from '../types';
import { bitsToGray, InputError, DEFAULT_PIXEL_LIMIT, MAX_PAGE_INCHES, toGray } from './image';
import { FileSource, type PdfRef } from './pdf-file';
import { nextWanted, noneWanted, shareOf, type PageRanges } from './pages';
import { concat, coversPage, decodeScan, ScanPdf, type EmbeddedScan } from './pdf-scan';

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
  // Scans with more painted over them: what lies over each is rendered by a pdfjs of its own, given
  // the file with the scans' images emptied for the pages it is opened for (overRenderer).
  let over: { pages: Set<number>; renderer: Promise<Renderer> } | null = null;
  try {
    const count = scans ? scans.pageCount : (await rendererOf()).numPages;
    if (count === 0) throw new InputError(path, undefined, 'PDF has no pages');
    const { first, step, only } = options.pages ?? { first: 0, step: 1 };
    const none = noneWanted(only, count);
    if (none) throw new InputError(path, undefined, none);
    const share = shareOf(only, first, step);
    const pages: number[] = [];
    for (let n = 1; n <= count && nextWanted(only, n) !== Infinity; n++) if (share(n)) pages.push(n);
    /** The renderer of what lies over page `n`'s scan, `image` (opened again for the next pages when `n` is not among its pages). */
    const overRenderer = (n: number, image: PdfRef): Promise<Renderer> => {
      if (over?.pages.has(n)) return over.renderer;
      const old = over?.renderer;
      if (old) void old.then((r) => r.close()).catch(() => undefined);
      // Up to OVERLAY_PAGES of this reader's pages from `n` on, each one's scan emptied.
      const next = pages.slice(pages.indexOf(n), pages.indexOf(n) + OVERLAY_PAGES);
      const images = [image, ...next.slice(1).flatMap((k) => scans?.scanUnderOf(k - 1)?.image ?? [])];
      // (A file whose update cannot be written, its trailer odd, fails here: its pages are rendered whole.)
      const renderer = Promise.resolve().then(() => openRenderer(path, options, scans!.emptiedImages(images)));
      over = { pages: new Set(next), renderer };
      return renderer;
    };
    for (const n of pages) {
      const scan = scans?.scanOf(n - 1);
      const under = scan ? null : scans?.scanUnderOf(n - 1);
      const stored = scan ?? under?.scan;
      if (stored && stored.width * stored.height <= limit) {
        const turned = stored.rotate === 90 || stored.rotate === 270;
        // The page at `dpi` is only the frame its boxes are given in (a scan whose image said no
        // resolution may make a page of 35 inches: img2pdf takes 72 dpi): the stored image, within
        // the limit, is all that is decoded.
        const pts = stored.on?.page ?? (turned ? { width: stored.points.height, height: stored.points.width } : stored.points);
        const size = { width: px((pts.width * dpi) / 72), height: px((pts.height * dpi) / 72) };
        let image = await decodeScan(stored, options.maxShortSide).catch(() => null);
        // A scan drawn smaller than its page, on the blank page at the scan's resolution.
        if (image && stored.on) image = onPage(image, stored, limit);
        // What lies over a scan, rendered alone at the scan's resolution and painted over it.
        if (image && under) image = await overRenderer(n, under.image).then((r) => r.over(n, image!)).catch(() => null);
        if (image) {
          yield withPpi({ page: n, image, size }, dpi);
          continue;
        }
        // A stored image that does not decode, or what lies over it that does not render alone: pdfjs has its say.
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
    const last = (over as { renderer: Promise<Renderer> } | null)?.renderer;
    if (last) await (await last.catch(() => null))?.close();
  }
}

/**
 * A scan drawn smaller than its page (`scan.on`), decoded as `image`, placed on the blank page at
 * the image's resolution; null when that page would be over `limit` pixels, or the image is not
 * drawn at its own shape (pdfjs renders those).
 */
export function onPage(image: GrayImage, scan: EmbeddedScan, limit: number): GrayImage | null {
  const on = scan.on!;
  const k = image.width / scan.points.width;
  // Drawn stretched one way by over 0.5 % (but under the 5 % that decodeScan stretches it back by): pdfjs draws it so.
  if (Math.abs(image.height / scan.points.height / k - 1) > 0.005) return null;
  const w = Math.round(on.page.width * k);
  const h = Math.round(on.page.height * k);
  if (w * h > limit) return null;
  const data = new Uint8Array(w * h).fill(255);
  const x0 = Math.round(on.x * k);
  const y0 = Math.round(on.y * k);
  const cols = Math.max(0, Math.min(image.width, w - x0));
  for (let y = 0; y < image.height && y0 + y < h; y++) data.set(image.data.subarray(y * image.width, y * image.width + cols), (y0 + y) * w + x0);
  return { width: w, height: h, data };
}

/** How many of a reader's pages the file given to the renderer of what lies over scans has their scans emptied for. */
const OVERLAY_PAGES = 64;

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
async function openPdfjs(path: string, extra?: Uint8Array): Promise<{ doc: PdfDocumentProxy; read: () => number }> {
  let source: FileSource;
  try {
    source = new FileSource(path);
  } catch (e) {
    throw new InputError(path, undefined, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message);
  }
  const task = lib().getDocument({ range: fileRange(source, extra), disableAutoFetch: true, disableStream: true, verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, ...pdfjsData() });
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

/** pdfjs's view of a file: the ranges it asks for, read from the file when asked; `extra` bytes (an incremental update) as if appended to it. */
function fileRange(source: FileSource, extra: Uint8Array = new Uint8Array(0)): PDFDataRangeTransport {
  const size = source.size;
  class FileRange extends lib().PDFDataRangeTransport {
    override requestDataRange(begin: number, end: number): void {
      let chunk: Uint8Array;
      try {
        chunk = source.read(begin, Math.max(0, Math.min(end, size) - begin));
        if (end > size) chunk = Buffer.concat([chunk, extra.subarray(Math.max(0, begin - size), end - size)]);
      } catch {
        // The file went away while open: pdfjs reports the missing data as the page's error.
        chunk = new Uint8Array(0);
      }
      // Answered after pdfjs's own call returns, as a network would.
      setImmediate(() => this.onDataRange(begin, chunk));
    }
  }
  return new FileRange(size + extra.length, null);
}

/** 792 pt at 300 dpi is 3300 px, not 3301. */
const px = (v: number) => Math.ceil(v - 1e-6);

/** A PDF opened with pdfjs-dist: renders pages on demand. */
interface Renderer {
  numPages: number;
  /** Renders 1-based page `n` (errors are returned as the page's). */
  render(n: number): Promise<PdfPage>;
  /**
   * Renders page `n` at the size of `scan`, its scan decoded, over it (in place), and returns it:
   * for a file whose scan of that page is emptied, what lies over the scan. Throws when the page's
   * shape is not the scan's.
   */
  over(n: number, scan: GrayImage): Promise<GrayImage>;
  close(): Promise<void>;
}

/**
 * Opens a PDF with pdfjs-dist, reading it at offsets; an {@link InputError} names the file when it
 * cannot. After {@link PDFJS_REOPEN_BYTES} read, the next page opens it again, which lets go of
 * what pdfjs has read.
 */
async function openRenderer(path: string, options: PdfOptions, extra?: Uint8Array): Promise<Renderer> {
  const dpi = options.dpi ?? 300;
  const limit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  let opened = await openPdfjs(path, extra);
  let doc = opened.doc;
  const fresh = async () => {
    if (opened.read() < PDFJS_REOPEN_BYTES) return;
    await doc.destroy();
    opened = await openPdfjs(path, extra);
    doc = opened.doc;
  };
  const factoryOf = () => (doc as unknown as { canvasFactory: CanvasFactoryLike }).canvasFactory;
  let canvas: { cc: ReturnType<CanvasFactoryLike['create']>; w: number; h: number } | null = null;
  const over = async (n: number, scan: GrayImage): Promise<GrayImage> => {
    await fresh();
    const page = await doc.getPage(n);
    try {
      const unit = page.getViewport({ scale: 1 });
      const scale = scan.width / unit.width;
      if (Math.abs(unit.height * scale - scan.height) > 1.5) throw new Error('the page is not the shape of its scan');
      const viewport = page.getViewport({ scale });
      const { width: w, height: h } = scan;
      // One canvas for the pages of a size, cleared for each: a new one's memory is touched afresh,
      // page by page, when its pixels are read (~50 ms a letter page at 300 dpi).
      if (canvas && (canvas.w !== w || canvas.h !== h)) {
        factoryOf().destroy(canvas.cc);
        canvas = null;
      }
      canvas ??= { cc: factoryOf().create(w, h), w, h };
      const cc = canvas.cc;
      cc.context.clearRect(0, 0, w, h);
      // On a transparent canvas: what is drawn (annotations too: handwriting drawn with a pen on a
      // tablet is an ink annotation) is painted over the scan by its opacity.
      await page.render({ canvasContext: cc.context as never, viewport, canvas: null, background: 'rgba(0,0,0,0)' }).promise;
      const raw = rawPixels(cc.canvas, w, h);
      if (raw) paintOver(scan.data, raw, true);
      else paintOver(scan.data, cc.context.getImageData(0, 0, w, h).data);
      return scan;
    } finally {
      page.cleanup();
    }
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
      const factory = factoryOf();
      const cc = factory.create(w, h);
      cc.context.fillStyle = '#ffffff';
      cc.context.fillRect(0, 0, w, h);
      await page.render({ canvasContext: cc.context as never, viewport, canvas: null }).promise;
      // On white, every pixel is opaque: its premultiplied colour is its colour.
      const gray = toGray(rawPixels(cc.canvas, w, h) ?? cc.context.getImageData(0, 0, w, h).data, w * h, 4);
      factory.destroy(cc);
      page.cleanup();
      return { page: n, image: { width: w, height: h, data: gray }, size };
    } catch (e) {
      return { page: n, error: e instanceof InputError ? e : new InputError(path, n, e instanceof PageProblem ? e.message : describe(e)) };
    }
  };
  const close = async () => {
    if (canvas) factoryOf().destroy(canvas.cc);
    canvas = null;
    await doc.destroy();
  };
  return { numPages: doc.numPages, render, over, close };
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
  // An image drawn on more than one page is kept among the document's objects ("g_" ids), not the page's.
  const pool = found.id.startsWith('g_') ? page.commonObjs : page.objs;
  const img = (await new Promise((resolve) => pool.get(found!.id, resolve))) as { width: number; height: number; kind: number; data?: Uint8Array | Uint8ClampedArray } | null;
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

/**
 * Paints RGBA pixels over gray ones in place, each by its opacity; its gray from RGB as `toGray`
 * takes it. `premultiplied`: the colours are already multiplied by their opacity (as a canvas
 * holds them; `getImageData` gives them divided back).
 */
export function paintOver(gray: Uint8Array, rgba: Uint8Array | Uint8ClampedArray, premultiplied = false): void {
  for (let i = 0, j = 3; i < gray.length; i++, j += 4) {
    const a = rgba[j];
    if (a === 0) continue;
    const v = (rgba[j - 3] * 19595 + rgba[j - 2] * 38470 + rgba[j - 1] * 7471 + 32768) >>> 16;
    gray[i] = premultiplied ? Math.min(255, v + (gray[i] * (255 - a) + 127) / 255) : (v * a + gray[i] * (255 - a) + 127) / 255;
  }
}

/**
 * A canvas's own pixels, RGBA premultiplied, when it gives them (@napi-rs/canvas's `data()`, a
 * few milliseconds where `getImageData` copies and divides for ~60-100 ms on a letter page at 300 dpi).
 */
function rawPixels(canvas: unknown, w: number, h: number): Uint8Array | null {
  const data = (canvas as { data?: () => Uint8Array }).data;
  if (typeof data !== 'function') return null;
  const px = data.call(canvas);
  return px.length === w * h * 4 ? px : null;
}

interface CanvasFactoryLike {
  create(w: number, h: number): { canvas: unknown; context: CanvasRenderingContext2DLike };
  destroy(c: unknown): void;
}

interface CanvasRenderingContext2DLike {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
