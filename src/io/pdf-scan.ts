/**
 * Scanned PDF pages read without rendering: when all a page draws is one image covering it (how
 * scanners and most scanning apps write PDFs), that image's stored bytes are decoded directly: a
 * JPEG (`DCTDecode`, or deflated again) by sharp, raw pixels (`FlateDecode`) by zlib, a bitonal scan
 * in CCITT Group 4 by sharp's libtiff, all native. pdfjs-dist decodes them in JavaScript, several
 * times slower; it still reads every page this module declines.
 *
 * The PDF's structure is read from the file object by object as pages need it (`pdf-file`): a
 * 500-page PDF is never held in memory whole. The image may be drawn turned by quarter turns, and the
 * page turned by its `/Rotate`: it is turned as the page shows it. Text drawn invisibly over it (an
 * OCR layer, in the page or in a form XObject) is not drawing, nor is a clip round the page or a
 * background filled in white before the image; a Group 4 image mask painted in black is a bitonal
 * scan. An image drawn upright within its page, smaller, is a scan on a blank page (`on`). A scan
 * with more painted over it after it, or annotations that show (`scanUnderOf`), is read by this module
 * too, and pdfjs renders what lies over it from the file with the scan emptied (`emptiedImages`).
 * Declined (left to pdfjs): encrypted or unparseable files, cropped pages, any other content,
 * images with masks, indexed or CMYK colour, decode arrays and bit depths other than 8 (but for
 * CCITT), and other filters (CCITT Group 3, JBIG2, JPEG 2000).
 */
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { GrayImage } from '../types';
import { grayOf, halvedFor, halveToGray, squarePixels } from './image';
import { BytesSource, contentOps, FileSource, PdfFile, PdfName, PdfRef, PdfStream, unpredictPng, type ByteSource, type PdfDict, type PdfValue } from './pdf-file';

/** The image of a scanned page, as stored in the PDF. */
export interface EmbeddedScan {
  /**
   * `jpeg`: a JPEG file; `raw`: zlib-compressed 8-bit pixels, rows optionally PNG-predicted; `ccitt`:
   * a bitonal scan in CCITT Group 4 (as document scanners write black-and-white pages).
   */
  kind: 'jpeg' | 'raw' | 'ccitt';
  bytes: Uint8Array;
  width: number;
  height: number;
  /** Colour components (1 gray, 3 RGB). */
  channels: number;
  /** PNG row predictors (`/Predictor` >= 10) to undo after inflating. */
  png: boolean;
  /** For `ccitt`: CCITT's black runs are the paper (`/BlackIs1` or a decode array `[1 0]`, not both). */
  inverted?: boolean;
  /**
   * The size in points the image is drawn at, in its own frame (before `rotate`): the page's, unless
   * it is drawn smaller than the page (`on`).
   */
  points: { width: number; height: number };
  /**
   * For a scan drawn upright within its page but not filling it (a small document scanned onto a
   * letter page, an image printed to PDF with margins): the page's size and where the image's
   * top-left corner lies on it, in points from the page's top-left; the rest of the page is blank.
   */
  on?: { page: { width: number; height: number }; x: number; y: number };
  /** How the page shows the image: turned clockwise by 90, 180 or 270 degrees (its `/Rotate`, and how it is drawn); 0 or absent: upright. */
  rotate?: 0 | 90 | 180 | 270;
}

const name = (n: string) => PdfName.of(n);
const NEWLINE = Buffer.from('\n');
/** The filter chain [/FlateDecode /DCTDecode] (a JPEG deflated again), as one. */
const FLATE_DCT = name('FlateDecode DCTDecode');

/**
 * A PDF opened for the fast path, its objects read from the file as they are needed (see
 * `pdf-file`); {@link ScanPdf.open} returns null when it cannot be used at all.
 */
export class ScanPdf {
  private constructor(
    private readonly pdf: PdfFile,
    private readonly pages: PdfDict[],
  ) {}

  /**
   * Opens a PDF (a file's path, read at offsets, or its bytes) and lists its pages; null for
   * encrypted files and files whose structure this reader does not read (pdfjs repairs those).
   */
  static async open(input: string | Uint8Array): Promise<ScanPdf | null> {
    let source: ByteSource | null = null;
    try {
      source = typeof input === 'string' ? new FileSource(input) : new BytesSource(input);
      const pdf = new PdfFile(source);
      const pages = pdf.pages();
      if (pages.length < 1) throw new Error('no pages');
      return new ScanPdf(pdf, pages);
    } catch {
      source?.close();
      return null;
    }
  }

  get pageCount(): number {
    return this.pages.length;
  }

  /** The scanned image of 0-based page `index`, or null if the page is anything else. */
  scanOf(index: number): EmbeddedScan | null {
    const found = this.found(index);
    return found && !found.over && found.annotations === 'none' ? found.scan : null;
  }

  /**
   * A page that is a scan with more painted over it (a stamp, a page number, a form's print):
   * its scan, as {@link scanOf} gives a scan's, and the reference of the scan's image object, to
   * render what lies over it without it (see {@link emptiedImages}); null for any other page (and
   * for a page that is only a scan: {@link scanOf}).
   */
  scanUnderOf(index: number): { scan: EmbeddedScan; image: PdfRef } | null {
    const found = this.found(index);
    // (A background filled in white before the scan would be painted over it with the rest.)
    if (!found?.image || found.filled || !(found.over || found.annotations === 'over')) return null;
    try {
      // Painted over the scan alone, by its opacity, what blends with what lies under it would not be the same.
      const resources = this.pdf.get(this.pages[index], 'Resources');
      return resources instanceof Map && found.annotations !== 'blends' && !blends(this.pdf, resources, 0) ? { scan: found.scan, image: found.image } : null;
    } catch {
      return null;
    }
  }

  /** The last page looked at and what {@link findScan} found there (a reader asks scanOf, then scanUnderOf, of a page). */
  private last: { index: number; found: FoundScan | null } | null = null;

  /** {@link findScan}'s answer for page `index` (null too when the page cannot be read), once a page. */
  private found(index: number): FoundScan | null {
    if (this.last?.index === index) return this.last.found;
    let found: FoundScan | null = null;
    try {
      found = this.findScan(index);
    } catch {
      found = null;
    }
    this.last = { index, found };
    return found;
  }

  /**
   * The bytes of an incremental update to this file that replaces each of `images` (image objects)
   * by an empty form: appended to the file, the pages that drew them draw all but them. Given to
   * pdfjs to render what lies over scans ({@link scanUnderOf}).
   */
  emptiedImages(images: PdfRef[]): Uint8Array {
    const pdf = this.pdf;
    const parts: string[] = ['\n'];
    let at = pdf.source.size + 1;
    const entries: Array<{ ref: PdfRef; offset: number }> = [];
    const seen = new Set<number>();
    for (const ref of images) {
      if (seen.has(ref.num)) continue;
      seen.add(ref.num);
      const obj = `${ref.num} ${ref.gen} obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Length 0 >>\nstream\n\nendstream\nendobj\n`;
      entries.push({ ref, offset: at });
      parts.push(obj);
      at += obj.length;
    }
    const xref = at;
    entries.sort((a, b) => a.ref.num - b.ref.num);
    parts.push('xref\n');
    for (const e of entries) parts.push(`${e.ref.num} 1\n${String(e.offset).padStart(10, '0')} ${String(e.ref.gen).padStart(5, '0')} n\r\n`);
    const t = pdf.trailer;
    const ref = (v: PdfValue | undefined) => (v instanceof PdfRef ? `${v.num} ${v.gen} R` : null);
    const size = Math.max(Number(t.get('Size')) || 0, ...entries.map((e) => e.ref.num + 1));
    const root = ref(t.get('Root'));
    if (!root) throw new Error('no /Root reference in the trailer');
    const info = ref(t.get('Info'));
    parts.push(`trailer\n<< /Size ${size} /Root ${root}${info ? ` /Info ${info}` : ''} /Prev ${pdf.startxref} >>\nstartxref\n${xref}\n%%EOF\n`);
    return Buffer.from(parts.join(''), 'latin1');
  }

  /** Closes the file. */
  close(): void {
    this.pdf.close();
  }

  /** The page's scan, the reference of its image object, whether more is painted over it, and what its annotations show. */
  private findScan(index: number): FoundScan | null {
    const pdf = this.pdf;
    const page = this.pages[index];
    if (!page) return null;
    const num = (d: PdfDict, k: string) => numberIn(pdf, d, k);
    const pageTurn = num(page, 'Rotate') ?? 0;
    if (!Number.isInteger(pageTurn) || pageTurn % 90 !== 0) return null;
    const rotate = ((pageTurn % 360) + 360) % 360;
    const media = box(pdf, pdf.get(page, 'MediaBox'));
    if (!media || media.x !== 0 || media.y !== 0) return null;
    const cropValue = pdf.get(page, 'CropBox');
    if (cropValue !== undefined) {
      const c = box(pdf, cropValue);
      if (!c || c.x !== 0 || c.y !== 0 || c.width !== media.width || c.height !== media.height) return null;
    }
    // The content: one Do of an image, under transforms only.
    const contents = pdf.get(page, 'Contents');
    if (!contents) return null;
    const streams = Array.isArray(contents) ? contents.map((r) => pdf.resolve(r)) : [contents];
    const parts = streams.map((s) => (s instanceof PdfStream ? contentData(pdf, s) : null));
    if (parts.some((t) => t === null)) return null;
    const resources = pdf.get(page, 'Resources');
    const xobjects = resources instanceof Map ? pdf.get(resources, 'XObject') : undefined;
    const formContent: FormContent = (n) => {
      const x = xobjects instanceof Map ? pdf.get(xobjects, n) : undefined;
      if (!(x instanceof PdfStream) || pdf.get(x.dict, 'Subtype') !== name('Form')) return undefined;
      return contentData(pdf, x);
    };
    // Streams of one page's content are one stream, split anywhere between tokens.
    const drawn = singleImageDraw(Buffer.concat(parts.flatMap((p) => [p!, NEWLINE])), formContent, true);
    if (!drawn) return null;
    // Drawn upright, or turned by a quarter, a half or three quarters (Ghostscript bakes a page's
    // /Rotate into the transform so): turned back as the page shows it.
    let placed = placement(drawn.ctm, media.width, media.height);
    // Else drawn upright within the page, smaller: on a blank page (a page turned by its /Rotate is not read so).
    const within = placed === null && rotate === 0 ? uprightWithin(drawn.ctm, media.width, media.height) : null;
    if (within) placed = 0;
    if (placed === null) return null;
    // A clipping rectangle hides none of it when it holds the whole page, or the image (to a point).
    const clip = drawn.clip;
    const shown = within ?? [0, 0, media.width, media.height];
    if (clip && (clip[0] > shown[0] + 1 || clip[1] > shown[1] + 1 || clip[2] < shown[2] - 1 || clip[3] < shown[3] - 1)) return null;
    const img = xobjects instanceof Map ? pdf.get(xobjects, drawn.name) : undefined;
    if (!(img instanceof PdfStream)) return null;
    const dict = img.dict;
    if (pdf.get(dict, 'Subtype') !== name('Image')) return null;
    // An image mask paints its marked pixels in the fill colour over the white page: black, a bitonal scan.
    const mask = pdf.get(dict, 'ImageMask') === true;
    if (mask && !drawn.blackFill) return null;
    if (['Mask', 'SMask'].some((k) => dict.has(k)) || (dict.has('ImageMask') && !mask)) return null;
    const width = num(dict, 'Width') ?? 0;
    const height = num(dict, 'Height') ?? 0;
    if (width < 1 || height < 1) return null;
    const channels = mask ? 1 : componentsOf(pdf, pdf.get(dict, 'ColorSpace'));
    if (!channels) return null;
    let filter = pdf.get(dict, 'Filter');
    if (Array.isArray(filter)) {
      const chain = filter.map((f) => pdf.resolve(f));
      // A JPEG deflated once more (Ghostscript writes them so, and ocrmypdf through it): [/FlateDecode /DCTDecode].
      if (chain.length === 2 && chain[0] === name('FlateDecode') && chain[1] === name('DCTDecode')) filter = FLATE_DCT;
      else filter = chain.length === 1 ? chain[0] : undefined;
    }
    // The page's size in the image's own frame (across it when the image is drawn turned by a quarter).
    const across = placed === 90 || placed === 270;
    const points = within ? { width: within[2] - within[0], height: within[3] - within[1] } : across ? { width: media.height, height: media.width } : { width: media.width, height: media.height };
    let scan = this.storedScan(img, width, height, channels, points, filter);
    if (!scan) return null;
    if (within) scan = { ...scan, on: { page: { width: media.width, height: media.height }, x: within[0], y: media.height - within[3] } };
    const turn = ((rotate + placed) % 360) as 0 | 90 | 180 | 270;
    const raw = xobjects instanceof Map ? xobjects.get(drawn.name) : undefined;
    return { scan: turn ? { ...scan, rotate: turn } : scan, image: raw instanceof PdfRef ? raw : null, over: drawn.over === true, filled: drawn.filled === true, annotations: annotationsOf(pdf, page) };
  }

  /** An image's stored form, when this path decodes it. */
  private storedScan(img: PdfStream, width: number, height: number, channels: number, points: { width: number; height: number }, filter: PdfValue | undefined): EmbeddedScan | null {
    const pdf = this.pdf;
    const dict = img.dict;
    const num = (d: PdfDict, k: string) => numberIn(pdf, d, k);
    if (filter === name('CCITTFaxDecode')) return ccittScan(pdf, img, width, height, channels, points);
    if (dict.has('Decode') || num(dict, 'BitsPerComponent') !== 8) return null;
    if (filter === name('DCTDecode')) return { kind: 'jpeg', bytes: pdf.streamBytes(img), width, height, channels, png: false, points };
    if (filter === FLATE_DCT) {
      // The deflate with no predictor (the JPEG is not rows of pixels).
      let parms = pdf.get(dict, 'DecodeParms');
      if (Array.isArray(parms)) parms = parms.length ? pdf.resolve(parms[0]) : null;
      if (parms instanceof Map && (num(parms, 'Predictor') ?? 1) !== 1) return null;
      return { kind: 'jpeg', bytes: inflateSync(pdf.streamBytes(img)), width, height, channels, png: false, points };
    }
    if (filter !== name('FlateDecode')) return null;
    let parms = pdf.get(dict, 'DecodeParms');
    if (Array.isArray(parms)) parms = pdf.resolve(parms[0]);
    let png = false;
    if (parms instanceof Map) {
      const p = parms;
      const predictor = num(p, 'Predictor') ?? 1;
      if (predictor >= 10) {
        const is = (k: string, want: number) => !p.has(k) || num(p, k) === want;
        if (!is('Colors', channels) || !is('BitsPerComponent', 8) || num(p, 'Columns') !== width) return null;
        png = true;
      } else if (predictor !== 1) return null;
    }
    return { kind: 'raw', bytes: pdf.streamBytes(img), width, height, channels, png, points };
  }
}

/**
 * A bitonal scan in CCITT Group 4 (`/K` < 0), one gray channel of 1 bit, whole rows as stored (no byte
 * alignment); else null (Group 3 and the rest are left to pdfjs).
 */
function ccittScan(pdf: PdfFile, img: PdfStream, width: number, height: number, channels: number, points: { width: number; height: number }): EmbeddedScan | null {
  const dict = img.dict;
  const get = (d: PdfDict, k: string) => pdf.get(d, k);
  // (An image mask has one bit a sample, said or not.)
  const bits = get(dict, 'BitsPerComponent') ?? (get(dict, 'ImageMask') === true ? 1 : undefined);
  if (channels !== 1 || bits !== 1) return null;
  let parms = get(dict, 'DecodeParms');
  if (Array.isArray(parms)) parms = parms.length === 1 ? pdf.resolve(parms[0]) : undefined;
  const p: PdfDict = parms instanceof Map ? parms : new Map();
  const k = get(p, 'K') ?? 0;
  if (typeof k !== 'number' || k >= 0) return null;
  if ((get(p, 'Columns') ?? 1728) !== width || (get(p, 'Rows') ?? height) !== height) return null;
  if ((get(p, 'EncodedByteAlign') ?? false) !== false) return null;
  const blackIs1 = get(p, 'BlackIs1') ?? false;
  if (typeof blackIs1 !== 'boolean') return null;
  // A decode array swaps 0 and 1 when it is [1 0]; [0 1] is the default.
  const decode = get(dict, 'Decode');
  let swapped = false;
  if (decode !== undefined) {
    const d = Array.isArray(decode) ? decode.map((v) => pdf.resolve(v)) : [];
    if (d.length !== 2 || !((d[0] === 0 && d[1] === 1) || (d[0] === 1 && d[1] === 0))) return null;
    swapped = d[0] === 1;
  }
  return { kind: 'ccitt', bytes: pdf.streamBytes(img), width, height, channels: 1, png: false, points, inverted: blackIs1 !== swapped };
}

/** What {@link ScanPdf}'s findScan finds on a page whose content draws a scan. */
interface FoundScan {
  scan: EmbeddedScan;
  /** The scan's image object (null when it is not an indirect object). */
  image: PdfRef | null;
  /** Something is painted over the scan after it. */
  over: boolean;
  /** A background was filled in white before it. */
  filled: boolean;
  annotations: Annotations;
}

/**
 * What a page's annotations show over it: `none` (none, or only links, pop-ups and hidden ones),
 * `over` (a handwritten ink annotation, a stamp, a filled-in field, a comment...), or `blends` (one
 * whose appearance blends with what lies under it, as a highlight multiplies; or one this reader
 * cannot read).
 */
type Annotations = 'none' | 'over' | 'blends';

function annotationsOf(pdf: PdfFile, page: PdfDict): Annotations {
  const annots = pdf.get(page, 'Annots');
  if (annots === undefined || annots === null) return 'none';
  if (!Array.isArray(annots)) return 'blends';
  let shown: Annotations = 'none';
  for (const a of annots) {
    const annot = pdf.resolve(a);
    if (!(annot instanceof Map)) continue;
    const subtype = pdf.get(annot, 'Subtype');
    if (subtype === name('Link') || subtype === name('Popup')) continue;
    // Hidden (2) and NoView (32) annotations are not drawn on the screen.
    const flags = numberIn(pdf, annot, 'F') ?? 0;
    if (flags & 34) continue;
    if (subtype === name('Highlight')) return 'blends';
    const ap = pdf.get(annot, 'AP');
    const normal = ap instanceof Map ? pdf.get(ap, 'N') : undefined;
    const streams = normal instanceof PdfStream ? [normal] : normal instanceof Map ? [...normal.keys()].map((k) => pdf.get(normal, k)) : [];
    for (const st of streams) {
      const res = st instanceof PdfStream ? pdf.get(st.dict, 'Resources') : undefined;
      if (res instanceof Map && blends(pdf, res, 1)) return 'blends';
    }
    shown = 'over';
  }
  return shown;
}

/**
 * Whether resources (a page's, and those of the forms it holds, to a depth of 4) hold a graphics
 * state that blends what it paints with what lies under it (a blend mode other than Normal, or a
 * soft mask): true too for a graphics state that cannot be read.
 */
function blends(pdf: PdfFile, resources: PdfDict, depth: number): boolean {
  if (depth > 4) return true;
  const states = pdf.get(resources, 'ExtGState');
  if (states instanceof Map) {
    for (const key of states.keys()) {
      const gs = pdf.get(states, key);
      if (!(gs instanceof Map)) return true;
      const bm = pdf.get(gs, 'BM');
      const mode = Array.isArray(bm) ? pdf.resolve(bm[0]) : bm;
      if (mode !== undefined && mode !== name('Normal') && mode !== name('Compatible')) return true;
      const smask = pdf.get(gs, 'SMask');
      if (smask !== undefined && smask !== name('None')) return true;
    }
  } else if (states !== undefined) return true;
  const xobjects = pdf.get(resources, 'XObject');
  if (xobjects instanceof Map) {
    for (const key of xobjects.keys()) {
      const x = pdf.get(xobjects, key);
      if (!(x instanceof PdfStream) || pdf.get(x.dict, 'Subtype') !== name('Form')) continue;
      const own = pdf.get(x.dict, 'Resources');
      if (own instanceof Map && blends(pdf, own, depth + 1)) return true;
    }
  }
  return false;
}

/** Entry `k` of a dictionary when it is a number. */
function numberIn(pdf: PdfFile, d: PdfDict, k: string): number | undefined {
  const v = pdf.get(d, k);
  return typeof v === 'number' ? v : undefined;
}

/** A rectangle `[x0 y0 x1 y1]` as its corner and size, or null when it is not four numbers. */
function box(pdf: PdfFile, v: PdfValue | undefined): { x: number; y: number; width: number; height: number } | null {
  if (!Array.isArray(v) || v.length !== 4) return null;
  const [a, b, c, d] = v.map((e) => pdf.resolve(e));
  if (typeof a !== 'number' || typeof b !== 'number' || typeof c !== 'number' || typeof d !== 'number') return null;
  return { x: Math.min(a, c), y: Math.min(b, d), width: Math.abs(c - a), height: Math.abs(d - b) };
}

/** The transform `m` applied within `ctm` (PDF's `cm`: `m` x `ctm`, both `[a b c d e f]`). */
export function concat(m: number[], ctm: number[]): number[] {
  const [a, b, c, d, e, f] = m;
  const [A, B, C, D, E, F] = ctm;
  return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
}

/** Whether an image drawn under `ctm` (the unit square mapped by it) fills a `w` x `h` pt page upright, to a point. */
export function coversPage(ctm: number[], w: number, h: number): boolean {
  return placement(ctm, w, h) === 0;
}

/**
 * How an image drawn under `ctm` fills a `w` x `h` pt page, to a point: upright (0), or turned
 * clockwise by 90, 180 or 270 degrees; null when it does not fill it so (smaller, shifted, skewed or
 * mirrored).
 */
export function placement(ctm: number[], w: number, h: number): 0 | 90 | 180 | 270 | null {
  const [a, b, c, d, e, f] = ctm;
  const at = (u: number, v: number) => [a * u + c * v + e, b * u + d * v + f];
  // Where the image's top-left, top-right and bottom-left corners land (its first row is its top, v = 1).
  const corners = [at(0, 1), at(1, 1), at(0, 0)];
  const near = (p: number[], x: number, y: number) => Math.abs(p[0] - x) <= 1 && Math.abs(p[1] - y) <= 1;
  const turns: Array<[0 | 90 | 180 | 270, number[][]]> = [
    [0, [[0, h], [w, h], [0, 0]]],
    [90, [[w, h], [w, 0], [0, h]]],
    [180, [[w, 0], [0, 0], [w, h]]],
    [270, [[0, 0], [0, h], [w, 0]]],
  ];
  for (const [turn, want] of turns) if (want.every(([x, y], i) => near(corners[i], x, y))) return turn;
  return null;
}

/**
 * Where an image drawn under `ctm` lies on a `w` x `h` pt page when it is drawn upright (not turned,
 * mirrored or skewed), at least an inch a side, and within the page (to a point): `[x0, y0, x1, y1]`
 * in the page's points (y up); else null.
 */
export function uprightWithin(ctm: number[], w: number, h: number): number[] | null {
  const [a, b, c, d, e, f] = ctm;
  if (b !== 0 || c !== 0 || a < 72 || d < 72) return null;
  if (e < -1 || f < -1 || e + a > w + 1 || f + d > h + 1) return null;
  return [Math.max(0, e), Math.max(0, f), Math.min(w, e + a), Math.min(h, f + d)];
}

/** A content stream's data: stored plain or Flate-encoded; null for anything else. */
function contentData(pdf: PdfFile, s: PdfStream): Uint8Array | null {
  try {
    return pdf.streamData(s);
  } catch {
    return null;
  }
}

/** Operators that paint nothing and leave the transform and clip alone: graphics state, colour, marked content. */
const NEUTRAL = new Set(['gs', 'w', 'J', 'j', 'M', 'd', 'ri', 'i', 'G', 'RG', 'K', 'CS', 'SC', 'SCN', 'BMC', 'BDC', 'EMC', 'MP', 'DP']);
/** Operators that set the fill colour (an image mask is painted in it): black, or anything else. */
const FILL = new Set(['g', 'rg', 'k', 'cs', 'sc', 'scn']);
const BLACK_FILL: Record<string, string> = { g: '0', rg: '0 0 0', k: '0 0 0 1' };
const WHITE_FILL: Record<string, string> = { g: '1', rg: '1 1 1', k: '0 0 0 0' };
/** Operators that fill the path (and end it). */
const FILLS = new Set(['f', 'F', 'f*']);

/** What a page draws: its one image, the transform it is drawn under, and whether the fill colour then is black (an image mask's paint). */
export interface ImageDraw {
  name: string;
  ctm: number[];
  blackFill: boolean;
  /** The rectangle the image is clipped to when drawn (`[x0, y0, x1, y1]` on the page), if any. */
  clip?: number[];
  /** Set when shapes were filled in white before the image (a page's background). */
  filled?: boolean;
  /** Set (with `over` asked for) when the page paints more after the image, over it. */
  over?: boolean;
}
/** Text operators that show nothing themselves. */
const TEXT_STATE = new Set(['BT', 'ET', 'Tf', 'Td', 'TD', 'Tm', 'T*', 'Tc', 'Tw', 'Tz', 'TL', 'Ts']);
/** Text operators that show text: invisible only in render mode 3. */
const TEXT_SHOW = new Set(['Tj', 'TJ', "'", '"']);

/** A form XObject's content by its resource name; undefined: not a form; null: a form this reader cannot read. */
export type FormContent = (name: string) => Uint8Array | null | undefined;

/**
 * The one image a page's content draws and the transform it is drawn under, if all else in it is
 * save/restore, transforms, graphics states, colours, marked content, clipping to a rectangle
 * (said as `clip`), and text drawn invisibly (render mode 3: the searchable text layer OCR software
 * lays over a scan), in the content itself or in form XObjects (`formContent`) that hold nothing
 * else; else null.
 *
 * @example
 * singleImageDraw('q 612 0 0 792 0 0 cm /Im0 Do Q BT 3 Tr /F1 9 Tf (12) Tj ET'); // { name: 'Im0', ctm: [612, 0, 0, 792, 0, 0] }
 * singleImageDraw('q 0 0 612 792 re W n 612 0 0 792 0 0 cm /Im0 Do Q'); // { ..., clip: [0, 0, 612, 792] }
 * singleImageDraw('q 612 0 0 792 0 0 cm /Im0 Do Q BT /F1 9 Tf (12) Tj ET'); // null: the text is seen
 * singleImageDraw('q 612 0 0 792 0 0 cm /Im0 Do Q BT /F1 9 Tf (12) Tj ET', undefined, true); // { ..., over: true }
 *
 * With `over`, what the page paints after the image (a stamp, a page number, a form's print over a
 * scan) is allowed too and said (`over: true`), but for the same image drawn again.
 */
export function singleImageDraw(content: Uint8Array | string, formContent: FormContent = () => undefined, over = false): ImageDraw | null {
  const data = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
  const drawn: ImageDraw[] = [];
  const after = over ? { over: false } : null;
  try {
    if (!drawsOnly(data, formContent, 0, 0, drawn, after) || drawn.length !== 1) return null;
  } catch {
    return null;
  }
  return after?.over ? { ...drawn[0], over: true } : drawn[0];
}

/**
 * Walks a content stream (a form's at `depth` 1, which may draw nothing), starting in text render
 * mode `mode`; adds the images it draws to `drawn`. False when it does anything else, but with
 * `after` given, what it does after its first image at depth 0 only sets `after.over` (a second
 * drawing of that image, or an inline image, after which nothing can be seen, is still false).
 */
function drawsOnly(data: Uint8Array, formContent: FormContent, depth: number, mode: number, drawn: ImageDraw[], after: { over: boolean } | null = null): boolean {
  let state: { ctm: number[]; mode: number; blackFill: boolean; whiteFill?: boolean; clip?: number[] } = { ctm: [1, 0, 0, 1, 0, 0], mode, blackFill: true };
  const stack: Array<typeof state> = [];
  // A path of one rectangle (in page space), and whether it is to clip once ended with `n`.
  let rect: number[] | null = null;
  let rects = 0;
  let lines = false;
  let clipping = false;
  let filled = false;
  for (const { op, operands } of contentOps(data)) {
    if (after && drawn.length > 0) {
      // Over the scan: pdfjs draws this; only a second drawing of the scan itself is looked for.
      const target = operands[0];
      if (op === 'BI' || (op === 'Do' && target instanceof PdfName && target.name === drawn[0].name)) return false;
      if (!after.over && !overNothing(op, operands, state.mode) && !(op === 'Do' && target instanceof PdfName && drawsNothing(formContent(target.name), formContent, state.mode))) after.over = true;
      if (op === 'q') stack.push(state);
      else if (op === 'Q') state = stack.pop() ?? state;
      else if (op === 'Tr' && typeof operands[0] === 'number') state = { ...state, mode: operands[0] };
      continue;
    }
    if (NEUTRAL.has(op) || TEXT_STATE.has(op)) continue;
    if (FILL.has(op)) {
      state = { ...state, blackFill: operands.join(' ') === BLACK_FILL[op], whiteFill: operands.join(' ') === WHITE_FILL[op] };
      continue;
    }
    if (TEXT_SHOW.has(op)) {
      if (state.mode !== 3) return false;
      continue;
    }
    switch (op) {
      case 'q':
        stack.push(state);
        break;
      case 'Q':
        state = stack.pop() ?? { ctm: [1, 0, 0, 1, 0, 0], mode, blackFill: true };
        break;
      case 'cm':
        if (operands.length !== 6 || operands.some((v) => typeof v !== 'number')) return false;
        state = { ...state, ctm: concat(operands as number[], state.ctm) };
        break;
      case 'Tr':
        if (operands.length !== 1 || typeof operands[0] !== 'number') return false;
        state = { ...state, mode: operands[0] };
        break;
      // A rectangle made a clipping path (`x y w h re W n`), as Quartz and Skia write one round a
      // page: kept as the rectangle the image is seen within (the caller judges it).
      case 're': {
        const r = pageRect(operands, state.ctm);
        if (!r) return false;
        rect = r;
        rects++;
        break;
      }
      case 'W':
      case 'W*':
        clipping = true;
        break;
      // Rectangles filled in white before the image (a printer driver's page background): white
      // on the blank page, or under the image; any other fill is drawing.
      case 'f':
      case 'F':
      case 'f*':
      case 'n':
        if (FILLS.has(op) && (!state.whiteFill || (!rect && !lines) || drawn.length > 0)) return false;
        if (FILLS.has(op)) filled = true;
        if (clipping) {
          if (!rect || rects !== 1 || lines) return false;
          const c = state.clip;
          state = { ...state, clip: c ? [Math.max(c[0], rect[0]), Math.max(c[1], rect[1]), Math.min(c[2], rect[2]), Math.min(c[3], rect[3])] : rect };
        }
        rect = null;
        rects = 0;
        lines = false;
        clipping = false;
        break;
      // Lines and curves: a path filled in white, as above; no clip.
      case 'm':
      case 'l':
      case 'c':
      case 'v':
      case 'y':
      case 'h':
        lines = true;
        break;
      case 'Do': {
        const target = operands[0];
        if (depth > 0 || operands.length !== 1 || !(target instanceof PdfName)) return false;
        const form = formContent(target.name);
        if (form === null) return false;
        if (form === undefined) drawn.push({ name: target.name, ctm: state.ctm, blackFill: state.blackFill, ...(state.clip ? { clip: state.clip } : {}), ...(filled ? { filled } : {}) });
        else if (!drawsOnly(form, formContent, depth + 1, state.mode, drawn)) return false;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

/** A rectangle's operands (`x y w h`) under `ctm` as `[x0, y0, x1, y1]` on the page; null unless the transform keeps it a rectangle. */
function pageRect(operands: PdfValue[], ctm: number[]): number[] | null {
  if (operands.length !== 4 || operands.some((v) => typeof v !== 'number')) return null;
  const [x, y, w, h] = operands as number[];
  const [a, b, c, d, e, f] = ctm;
  if (!((b === 0 && c === 0) || (a === 0 && d === 0))) return null;
  const xs = [x, x + w].flatMap((u) => [y, y + h].map((v) => a * u + c * v + e));
  const ys = [x, x + w].flatMap((u) => [y, y + h].map((v) => b * u + d * v + f));
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Whether a form's content (`formContent`'s answer) draws nothing: an OCR text layer drawn after the scan. */
function drawsNothing(form: Uint8Array | null | undefined, formContent: FormContent, mode: number): boolean {
  if (!form) return false;
  const drawn: ImageDraw[] = [];
  try {
    return drawsOnly(form, formContent, 1, mode, drawn) && drawn.length === 0;
  } catch {
    return false;
  }
}

/** Whether an operator after the scan paints nothing over it (state, colour, invisible text); a form drawn is judged by `drawsNothing`. */
function overNothing(op: string, operands: PdfValue[], mode: number): boolean {
  if (NEUTRAL.has(op) || TEXT_STATE.has(op) || FILL.has(op) || op === 'q' || op === 'Q' || op === 'cm' || op === 'Tr') return true;
  return TEXT_SHOW.has(op) && mode === 3 && operands.length > 0;
}

/** Components of an image colour space this path reads (gray, RGB, or ICC-based with N 1 or 3); else 0. */
function componentsOf(pdf: PdfFile, cs: PdfValue | undefined): number {
  if (cs === name('DeviceGray') || cs === name('CalGray')) return 1;
  if (cs === name('DeviceRGB') || cs === name('CalRGB')) return 3;
  if (Array.isArray(cs) && cs.length >= 1) {
    const kind = pdf.resolve(cs[0]);
    if ((kind === name('CalGray') || kind === name('CalRGB')) && cs.length === 2) return kind === name('CalGray') ? 1 : 3;
    if (kind === name('ICCBased') && cs.length === 2) {
      const icc = pdf.resolve(cs[1]);
      const n = icc instanceof PdfStream ? pdf.get(icc.dict, 'N') : undefined;
      return n === 1 || n === 3 ? n : 0;
    }
  }
  return 0;
}

/**
 * Decodes a page's embedded scan to 8-bit gray, reduced (as images are, see `DecodeOptions`) when
 * its shorter side is longer than `maxShortSide`. The scan fills its page, so a scan whose pixels are
 * not square (its shape differs from the page's by over 5 %: a fax at 204 x 98 dpi) is stretched the
 * short way to the page's shape.
 */
export async function decodeScan(scan: EmbeddedScan, maxShortSide?: number): Promise<GrayImage> {
  const image = await decodeStored(scan, maxShortSide);
  if (!scan.rotate) return image;
  // Turned as the page shows it (clockwise: its /Rotate, and the turn of the image's transform).
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } }).rotate(scan.rotate).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The scan decoded as stored (before it is turned). */
async function decodeStored(scan: EmbeddedScan, maxShortSide?: number): Promise<GrayImage> {
  // Its pixels are as much taller than wide as the page is, in shape, taller than the scan.
  const square = squarePixels(scan.width, scan.height, scan.points.height / scan.points.width / (scan.height / scan.width));
  let pipeline: ReturnType<typeof sharp>;
  if (scan.kind === 'jpeg') pipeline = sharp(scan.bytes);
  else if (scan.kind === 'ccitt') pipeline = sharp(g4Tiff(scan)).toColourspace('b-w');
  else {
    const stride = scan.width * scan.channels;
    // Inflated into one buffer of the image's size (in pieces, zlib's output would be copied again to
    // join them), up to 64 MB: a damaged file's stated size is not allocated blindly.
    const size = (scan.png ? stride + 1 : stride) * scan.height + 1;
    let px: Uint8Array = inflateSync(scan.bytes, size <= 1 << 26 ? { chunkSize: Math.max(64 * 1024, size) } : {});
    if (scan.png) px = unpredictPng(px, scan.height, stride, scan.channels);
    else if (px.length < stride * scan.height) throw new Error('image data shorter than its size');
    px = px.subarray(0, stride * scan.height);
    // Twice the working size: halved here, as grayOf would (without handing the pixels to sharp and back).
    const half = !square && halvedFor(scan, maxShortSide) ? halveToGray(px, scan.width, scan.height, scan.channels) : null;
    if (half) return half;
    pipeline = sharp(px, { raw: { width: scan.width, height: scan.height, channels: scan.channels as 1 | 3 } });
    // Gray stays gray (sharp's output is sRGB unless told: three times the pixels to resize).
    if (scan.channels === 1) pipeline = pipeline.toColourspace('b-w');
  }
  return grayOf(pipeline, square ?? scan, maxShortSide, square !== null);
}

const SHORT_TAGS = new Set([258, 259, 262, 277]);

/**
 * A CCITT Group 4 scan as a one-strip TIFF file, for sharp (libtiff) to decode natively. TIFF's
 * photometric says which runs are the paper: CCITT's white runs (min-is-white), or its black ones.
 */
export function g4Tiff(scan: EmbeddedScan): Buffer {
  // BitsPerSample, Compression, PhotometricInterpretation and SamplesPerPixel are SHORTs in TIFF.
  const tags: Array<[tag: number, value: number]> = [
    [256, scan.width], // ImageWidth
    [257, scan.height], // ImageLength
    [258, 1], // BitsPerSample
    [259, 4], // Compression: CCITT Group 4
    [262, scan.inverted ? 1 : 0], // PhotometricInterpretation: min-is-white, or min-is-black
    [273, 0], // StripOffsets (after the directory; set below)
    [277, 1], // SamplesPerPixel
    [278, scan.height], // RowsPerStrip
    [279, scan.bytes.length], // StripByteCounts
  ];
  const dirSize = 2 + 12 * tags.length + 4;
  const head = Buffer.alloc(8 + dirSize);
  head.write('II*\0', 0, 'latin1');
  head.writeUInt32LE(8, 4);
  head.writeUInt16LE(tags.length, 8);
  for (const [i, [tag, value]] of tags.entries()) {
    const at = 10 + 12 * i;
    const short = SHORT_TAGS.has(tag);
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(short ? 3 : 4, at + 2); // SHORT or LONG
    head.writeUInt32LE(1, at + 4);
    if (short) head.writeUInt16LE(value, at + 8);
    else head.writeUInt32LE(tag === 273 ? head.length : value, at + 8);
  }
  return Buffer.concat([head, scan.bytes]);
}
