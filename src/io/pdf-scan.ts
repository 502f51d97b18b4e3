/**
 * Scanned PDF pages read without rendering: when all a page draws is one image covering it (how
 * scanners and most scanning apps write PDFs), that image's stored bytes are decoded directly, a
 * JPEG (`DCTDecode`) by sharp and raw pixels (`FlateDecode`) by zlib, both native. pdfjs-dist
 * decodes them in JavaScript, several times slower; it still reads every page this module declines.
 *
 * The PDF's structure is read with pdf-lib. Declined (left to pdfjs): encrypted or unparseable
 * files, rotated or cropped pages, content other than one upright full-page image, images with
 * masks, decode arrays, indexed or CMYK colour, bit depths other than 8, and other filters (CCITT,
 * JBIG2, JPEG 2000).
 */
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { GrayImage } from '../types';
import { grayOf, halvedFor, halveToGray, squarePixels } from './image';

type PdfLib = typeof import('pdf-lib');
let pdfLib: PdfLib | null = null;
function lib(): PdfLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  pdfLib ??= require('pdf-lib') as PdfLib;
  return pdfLib;
}

/** The image of a scanned page, as stored in the PDF. */
export interface EmbeddedScan {
  /** `jpeg`: a JPEG file; `raw`: zlib-compressed 8-bit pixels, rows optionally PNG-predicted. */
  kind: 'jpeg' | 'raw';
  bytes: Uint8Array;
  width: number;
  height: number;
  /** Colour components (1 gray, 3 RGB). */
  channels: number;
  /** PNG row predictors (`/Predictor` >= 10) to undo after inflating. */
  png: boolean;
  /** The page's size in points (its media box). */
  points: { width: number; height: number };
}

/** A PDF opened for the fast path; {@link ScanPdf.open} returns null when it cannot be used at all. */
export class ScanPdf {
  private constructor(private readonly doc: import('pdf-lib').PDFDocument) {}

  /** Parses a PDF's structure (not its pages' content); null for encrypted or unparseable files. */
  static async open(data: Uint8Array): Promise<ScanPdf | null> {
    try {
      const doc = await lib().PDFDocument.load(data, { updateMetadata: false, throwOnInvalidObject: true, parseSpeed: Infinity });
      // pdf-lib reads past much damage (a file that only starts like a PDF loads with no pages):
      // anything short of a catalog with its pages goes to pdfjs, which reports what is wrong.
      if (doc.isEncrypted || !doc.catalog || doc.getPageCount() < 1) return null;
      return new ScanPdf(doc);
    } catch {
      return null;
    }
  }

  get pageCount(): number {
    return this.doc.getPageCount();
  }

  /** The scanned image of 0-based page `index`, or null if the page is anything else. */
  scanOf(index: number): EmbeddedScan | null {
    try {
      return this.findScan(index);
    } catch {
      return null;
    }
  }

  private findScan(index: number): EmbeddedScan | null {
    const { PDFName, PDFDict, PDFArray, PDFRawStream, PDFNumber } = lib();
    const page = this.doc.getPage(index);
    if (page.getRotation().angle % 360 !== 0) return null;
    const media = page.getMediaBox();
    if (media.x !== 0 || media.y !== 0) return null;
    const crop = page.node.CropBox();
    if (crop) {
      const c = page.getCropBox();
      if (c.x !== 0 || c.y !== 0 || c.width !== media.width || c.height !== media.height) return null;
    }
    // The content: one Do of an image, under transforms only.
    const contents = page.node.Contents();
    if (!contents) return null;
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => this.doc.context.lookup(r)) : [contents];
    const text = streams.map((s) => (s instanceof PDFRawStream ? streamText(s) : null));
    if (text.some((t) => t === null)) return null;
    const drawn = singleImageDraw(text.join('\n'));
    if (!drawn) return null;
    if (!coversPage(drawn.ctm, media.width, media.height)) return null;
    const xobjects = page.node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    const img = xobjects?.lookup(PDFName.of(drawn.name));
    if (!(img instanceof PDFRawStream)) return null;
    const dict = img.dict;
    const name = (k: string) => dict.lookup(PDFName.of(k));
    const num = (k: string) => {
      const v = name(k);
      return v instanceof PDFNumber ? v.asNumber() : undefined;
    };
    if (name('Subtype') !== PDFName.of('Image')) return null;
    if (name('ImageMask') || name('Mask') || name('SMask') || name('Decode')) return null;
    if (num('BitsPerComponent') !== 8) return null;
    const width = num('Width') ?? 0;
    const height = num('Height') ?? 0;
    if (width < 1 || height < 1) return null;
    const channels = componentsOf(name('ColorSpace'), this.doc);
    if (!channels) return null;
    let filter = name('Filter');
    if (filter instanceof PDFArray) filter = filter.size() === 1 ? filter.lookup(0) : undefined;
    const points = { width: media.width, height: media.height };
    if (filter === PDFName.of('DCTDecode')) return { kind: 'jpeg', bytes: img.contents, width, height, channels, png: false, points };
    if (filter !== PDFName.of('FlateDecode')) return null;
    let parms = name('DecodeParms');
    if (parms instanceof PDFArray) parms = parms.lookup(0);
    let png = false;
    if (parms instanceof PDFDict) {
      const p = parms.lookup(PDFName.of('Predictor'));
      const predictor = p instanceof PDFNumber ? p.asNumber() : 1;
      if (predictor >= 10) {
        const colors = parms.lookup(PDFName.of('Colors'));
        const bpc = parms.lookup(PDFName.of('BitsPerComponent'));
        const cols = parms.lookup(PDFName.of('Columns'));
        const is = (v: unknown, want: number) => v === undefined || (v instanceof PDFNumber && v.asNumber() === want);
        if (!is(colors, channels) || !is(bpc, 8) || !(cols instanceof PDFNumber && cols.asNumber() === width)) return null;
        png = true;
      } else if (predictor !== 1) return null;
    }
    return { kind: 'raw', bytes: img.contents, width, height, channels, png, points };
  }
}

/** The transform `m` applied within `ctm` (PDF's `cm`: `m` x `ctm`, both `[a b c d e f]`). */
export function concat(m: number[], ctm: number[]): number[] {
  const [a, b, c, d, e, f] = m;
  const [A, B, C, D, E, F] = ctm;
  return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
}

/** Whether an image drawn under `ctm` (the unit square mapped by it) fills a `w` x `h` pt page upright, to a point. */
export function coversPage(ctm: number[], w: number, h: number): boolean {
  const [a, b, c, d, e, f] = ctm;
  const near = (u: number, v: number) => Math.abs(u - v) <= 1;
  return near(b, 0) && near(c, 0) && near(a, w) && near(d, h) && near(e, 0) && near(f, 0);
}

/** A content stream's text: stored plain or zlib-compressed; null for anything else. */
function streamText(s: import('pdf-lib').PDFRawStream): string | null {
  const { PDFName } = lib();
  const filter = s.dict.lookup(PDFName.of('Filter'));
  if (filter === undefined) return Buffer.from(s.contents).toString('latin1');
  if (filter === PDFName.of('FlateDecode') && !s.dict.lookup(PDFName.of('DecodeParms'))) return inflateSync(s.contents).toString('latin1');
  return null;
}

/**
 * The one XObject a content stream draws and the transform it is drawn under, if all else in the
 * stream is save/restore, transforms, graphics states and marked content; else null.
 */
export function singleImageDraw(content: string): { name: string; ctm: number[] } | null {
  const tokens = content.match(/\/[^\s/<>[\]()%{}]+|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'"*]+|%[^\r\n]*|\S/g) ?? [];
  const operands: string[] = [];
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack: number[][] = [];
  let drawn: { name: string; ctm: number[] } | null = null;
  for (const t of tokens) {
    if (t.startsWith('%')) continue;
    if (t.startsWith('/') || /^[-+]?(\d|\.\d)/.test(t)) {
      operands.push(t);
      continue;
    }
    switch (t) {
      case 'q':
        stack.push(ctm);
        break;
      case 'Q':
        ctm = stack.pop() ?? [1, 0, 0, 1, 0, 0];
        break;
      case 'cm': {
        if (operands.length !== 6) return null;
        ctm = concat(operands.map(Number), ctm);
        break;
      }
      case 'Do':
        if (drawn || operands.length !== 1) return null;
        drawn = { name: operands[0].slice(1), ctm };
        break;
      case 'gs':
      case 'BMC':
      case 'EMC':
      case 'BDC':
        // BDC with an inline property dictionary shows up as '<' tokens: declined below.
        break;
      default:
        return null;
    }
    operands.length = 0;
  }
  return drawn;
}

/** Components of an image colour space this path reads (gray, RGB, or ICC-based with N 1 or 3); else 0. */
function componentsOf(cs: unknown, doc: import('pdf-lib').PDFDocument): number {
  const { PDFName, PDFArray, PDFRawStream, PDFNumber } = lib();
  if (cs === PDFName.of('DeviceGray') || cs === PDFName.of('CalGray')) return 1;
  if (cs === PDFName.of('DeviceRGB') || cs === PDFName.of('CalRGB')) return 3;
  if (cs instanceof PDFArray && cs.size() >= 1) {
    const kind = cs.lookup(0);
    if ((kind === PDFName.of('CalGray') || kind === PDFName.of('CalRGB')) && cs.size() === 2) return kind === PDFName.of('CalGray') ? 1 : 3;
    if (kind === PDFName.of('ICCBased') && cs.size() === 2) {
      const icc = doc.context.lookup(cs.get(1));
      const n = icc instanceof PDFRawStream ? icc.dict.lookup(PDFName.of('N')) : undefined;
      const v = n instanceof PDFNumber ? n.asNumber() : 0;
      return v === 1 || v === 3 ? v : 0;
    }
  }
  return 0;
}

/** Undoes PNG row predictors in place order: `rows` of `stride` bytes, each after a filter byte. */
function unpredictPng(src: Uint8Array, rows: number, stride: number, bpp: number): Uint8Array {
  if (src.length < rows * (stride + 1)) throw new Error('image data shorter than its size');
  const out = new Uint8Array(rows * stride);
  for (let y = 0; y < rows; y++) {
    const type = src[y * (stride + 1)];
    const inp = y * (stride + 1) + 1;
    const o = y * stride;
    const up = o - stride;
    switch (type) {
      case 0:
        out.set(src.subarray(inp, inp + stride), o);
        break;
      case 1:
        for (let x = 0; x < stride; x++) out[o + x] = src[inp + x] + (x >= bpp ? out[o + x - bpp] : 0);
        break;
      case 2:
        for (let x = 0; x < stride; x++) out[o + x] = src[inp + x] + (y > 0 ? out[up + x] : 0);
        break;
      case 3:
        for (let x = 0; x < stride; x++) out[o + x] = src[inp + x] + (((x >= bpp ? out[o + x - bpp] : 0) + (y > 0 ? out[up + x] : 0)) >> 1);
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[o + x - bpp] : 0;
          const b = y > 0 ? out[up + x] : 0;
          const c = x >= bpp && y > 0 ? out[up + x - bpp] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out[o + x] = src[inp + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        throw new Error(`unknown PNG predictor ${type}`);
    }
  }
  return out;
}

/**
 * Decodes a page's embedded scan to 8-bit gray, reduced (as images are, see `DecodeOptions`) when
 * its shorter side is longer than `maxShortSide`. The scan fills its page, so a scan whose pixels are
 * not square (its shape differs from the page's by over 5 %: a fax at 204 x 98 dpi) is stretched the
 * short way to the page's shape.
 */
export async function decodeScan(scan: EmbeddedScan, maxShortSide?: number): Promise<GrayImage> {
  // Its pixels are as much taller than wide as the page is, in shape, taller than the scan.
  const square = squarePixels(scan.width, scan.height, scan.points.height / scan.points.width / (scan.height / scan.width));
  let pipeline: ReturnType<typeof sharp>;
  if (scan.kind === 'jpeg') pipeline = sharp(scan.bytes);
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
